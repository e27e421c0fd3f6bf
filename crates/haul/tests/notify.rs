//! The facade announces the end of a download through its notifier: finished (size, time, the folder),
//! failed (the reason), nothing for a cancelled one; the settings' switches apply to what other parts
//! send through `Haul::notify`.

mod common;

use std::sync::{Arc, Mutex};

use common::{Setup, options};
use fakehub::{CommitSpec, CorruptFault, FakeHub, FaultState, FileSpec, RepoSpec};
use haul::notify::NotifyError;
use haul::transfer::{Control, ControlState};
use haul::{Haul, Notification, NotificationKind, Notifier};

#[derive(Default)]
struct Recorder(Mutex<Vec<Notification>>);

impl Notifier for Recorder {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(n.clone());
        Ok(())
    }
}

impl Recorder {
    fn take(&self) -> Vec<Notification> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

fn repo(id: &str, file: &str) -> RepoSpec {
    RepoSpec::model(id).commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{}"))
            .file(file, FileSpec::lfs_generated(100_000, 3)),
    )
}

async fn setup() -> Setup {
    Setup::new(
        FakeHub::builder()
            .repo(repo("org/ok", "weights.bin"))
            .repo(repo("org/broken", "broken.bin"))
            .repo(repo("org/stopped", "weights.bin"))
            .faults(FaultState {
                corrupt: Some(CorruptFault {
                    offset: 10,
                    times: u32::MAX,
                    path_suffix: Some("broken.bin".into()),
                }),
                ..Default::default()
            }),
    )
    .await
}

#[tokio::test]
async fn downloads_end_in_a_notification() {
    let s = setup().await;
    let recorder = Arc::new(Recorder::default());
    let haul = s.haul().with_notifier(recorder.clone());

    let plan = haul.plan(&s.request(&haul, "org/ok")).await.unwrap();
    let report = haul.download(&plan, &options(&haul)).await.unwrap();
    let plan = haul.plan(&s.request(&haul, "org/broken")).await.unwrap();
    let error = haul.download(&plan, &options(&haul)).await.unwrap_err();
    let plan = haul.plan(&s.request(&haul, "org/stopped")).await.unwrap();
    let control = Control::new();
    control.set(ControlState::Cancelled);
    let cancelled = haul
        .download_controlled(&plan, &options(&haul), &control)
        .await
        .unwrap_err();
    assert_eq!(cancelled.kind(), haul::ErrorKind::Cancelled);
    haul.flush_notifications().await;

    let shown = recorder.take();
    assert_eq!(shown.len(), 2, "nothing for the cancelled one: {shown:#?}");
    let finished = &shown[0];
    assert_eq!(
        (finished.kind, finished.title.as_str()),
        (NotificationKind::Finished, "Downloaded org/ok")
    );
    assert!(
        finished.body.starts_with("97.7 KiB in "),
        "{}",
        finished.body
    );
    assert_eq!(finished.open_path.as_ref(), Some(&report.path));
    let failed = &shown[1];
    assert_eq!(
        (failed.kind, failed.title.as_str()),
        (NotificationKind::Failed, "Download of org/broken failed")
    );
    let reason = error.to_string();
    assert!(
        reason.starts_with(failed.body.trim_end_matches('…')),
        "{} vs {reason}",
        failed.body
    );
    assert!(failed.body.contains("broken.bin"), "{}", failed.body);
}

#[tokio::test]
async fn the_settings_decide_which_kinds_are_shown() {
    let s = setup().await;
    let mut config = s.config();
    config.notifications.update_available = false;
    let recorder = Arc::new(Recorder::default());
    let haul = Haul::new(config, None)
        .unwrap()
        .with_notifier(recorder.clone());
    haul.notify(Notification::update_available("org/ok", "a", "b"));
    haul.notify(Notification::schedule_skipped("nightly", "the Hub is down"));
    haul.flush_notifications().await;
    let shown: Vec<_> = recorder.take().into_iter().map(|n| n.title).collect();
    assert_eq!(shown, ["Schedule 'nightly' skipped"]);

    let mut prefs = haul.config().notifications;
    prefs.update_available = true;
    haul.set_notification_prefs(prefs);
    haul.notify(Notification::update_available("org/ok", "a", "b"));
    haul.flush_notifications().await;
    assert_eq!(recorder.take().len(), 1);

    // Without a notifier, notifying is a no-op.
    s.haul().notify(Notification::failed("org/x", "boom"));
}
