//! Schedules through the facade with a real registry and a fakehub: which are due at a given instant
//! (on time, caught up, skipped, requested), the change counter another process would poll, and a run
//! held outside its windows until it is let go or cancelled.

mod common;

use std::time::Duration;

use common::Setup;
use fakehub::{CommitSpec, FakeHub, FaultState, FileSpec, RepoSpec};
use haul::registry::Registry;
use haul::schedule::{
    DaySet, Interval, LastResult, NewSchedule, Policy, RunOptions, RunReason, ScheduleDestination,
    ScheduleTarget, TimeOfDay, Trigger, Window, local_zone,
};
use haul::transfer::{Control, ControlState};
use haul::{ErrorKind, Haul, RepoType};
use jiff::Timestamp;

async fn haul_with_registry(s: &Setup) -> Haul {
    let registry = Registry::open(&s.home.path().join("haul/haul.db"))
        .await
        .expect("registry");
    s.haul().with_registry(registry)
}

fn target(s: &Setup) -> ScheduleTarget {
    ScheduleTarget {
        repo_type: RepoType::Model,
        repo_id: "org/m".into(),
        revision: "main".into(),
        include: vec![],
        exclude: vec![],
        destination: ScheduleDestination::Cache(s.cache()),
    }
}

fn hourly(s: &Setup, catch_up: bool) -> NewSchedule {
    NewSchedule {
        name: None,
        target: target(s),
        trigger: Trigger::Every(Interval::from_secs(3600)),
        policy: Policy::Download,
        windows: vec![],
        catch_up,
        paused: false,
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn repo() -> RepoSpec {
    RepoSpec::model("org/m").commit(
        CommitSpec::new()
            .file("config.json", FileSpec::regular("{}"))
            .file("weights.bin", FileSpec::lfs_generated(4 << 20, 5)),
    )
}

#[tokio::test]
async fn due_schedules_run_on_time_catch_up_or_skip() {
    let s = Setup::new(FakeHub::builder().repo(repo())).await;
    let haul = haul_with_registry(&s).await;
    let made = at("2026-01-01T00:00:00Z");
    let generation = haul.schedules_generation().await.unwrap();
    let catching = haul.add_schedule(hourly(&s, true), made).await.unwrap();
    let skipping = haul.add_schedule(hourly(&s, false), made).await.unwrap();
    let mut paused = hourly(&s, true);
    paused.paused = true;
    let paused = haul.add_schedule(paused, made).await.unwrap();
    assert_eq!(catching.next_run, Some(at("2026-01-01T01:00:00Z")));
    assert!(
        haul.schedules_generation().await.unwrap() > generation,
        "another process would notice"
    );

    // Nothing is due before the first run.
    assert!(
        haul.due_schedules(Some(at("2026-01-01T00:58:00Z")), at("2026-01-01T00:59:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
    // A runner looking every minute sees both on time.
    let due = haul
        .due_schedules(Some(at("2026-01-01T00:59:30Z")), at("2026-01-01T01:00:10Z"))
        .await
        .unwrap();
    assert_eq!(due.len(), 2, "the paused one is not due");
    assert!(due.iter().all(|(_, d)| d.run == Some(RunReason::OnTime)));

    // Asleep from 00:30 to 05:10: five runs were missed.
    let due = haul
        .due_schedules(Some(at("2026-01-01T00:30:00Z")), at("2026-01-01T05:10:00Z"))
        .await
        .unwrap();
    let of = |id: i64| due.iter().find(|(s, _)| s.id == id).unwrap().1;
    assert_eq!(of(catching.id).run, Some(RunReason::CatchUp));
    assert_eq!(of(catching.id).missed, 5);
    assert_eq!(of(skipping.id).run, None);
    assert_eq!(of(skipping.id).next_run, Some(at("2026-01-01T06:00:00Z")));
    // The skip is recorded at once; the catch-up is recorded by its run.
    assert_eq!(
        haul.schedule(skipping.id).await.unwrap().next_run,
        Some(at("2026-01-01T06:00:00Z"))
    );
    assert_eq!(
        haul.schedule(catching.id).await.unwrap().next_run,
        Some(at("2026-01-01T01:00:00Z"))
    );

    // Asked for, the paused one runs once, whatever its state.
    let asked = at("2026-01-01T05:11:00Z");
    haul.request_schedule_run(paused.id, asked).await.unwrap();
    let due = haul.due_schedules(Some(asked), asked).await.unwrap();
    let requested = due.iter().find(|(s, _)| s.id == paused.id).unwrap();
    assert_eq!(requested.1.run, Some(RunReason::Requested));

    // Resuming skips what fell due while paused.
    let resumed = haul
        .resume_schedule(paused.id, at("2026-01-01T07:30:00Z"))
        .await
        .unwrap();
    assert!(!resumed.paused);
    assert_eq!(resumed.next_run, Some(at("2026-01-01T08:00:00Z")));

    // Running it records the run, the commit and the next run on the hourly grid.
    let outcome = haul
        .run_schedule(catching.id, at("2026-01-01T05:10:00Z"))
        .await
        .unwrap();
    assert_eq!(outcome.result, LastResult::Ok);
    assert_eq!(outcome.next_run, Some(at("2026-01-01T06:00:00Z")));
    let stored = haul.schedule(catching.id).await.unwrap();
    assert_eq!(stored.last_run, Some(at("2026-01-01T05:10:00Z")));
    assert_eq!(stored.last_commit, Some(outcome.commit.clone()));
    assert_eq!(stored.next_run, Some(at("2026-01-01T06:00:00Z")));
}

/// A window that holds every day from two hours after the local time now, for an hour: now is outside.
fn window_later_today() -> Window {
    let local = Timestamp::now().to_zoned(local_zone());
    let minute = (local.hour() as u16 * 60 + local.minute() as u16 + 120) % 1440;
    Window::new(
        DaySet::ALL,
        TimeOfDay::from_minutes(minute).unwrap(),
        TimeOfDay::from_minutes((minute + 60) % 1440).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn outside_its_windows_a_run_is_held_until_cancelled() {
    let s = Setup::new(FakeHub::builder().repo(repo()).faults(FaultState {
        bandwidth_per_conn: Some(2 << 20),
        ..FaultState::default()
    }))
    .await;
    let haul = std::sync::Arc::new(haul_with_registry(&s).await);
    let mut new = hourly(&s, true);
    new.windows = vec![window_later_today()];
    let schedule = haul.add_schedule(new, Timestamp::now()).await.unwrap();

    let control = Control::new();
    let options = RunOptions {
        control: control.clone(),
        honour_windows: true,
    };
    let run = {
        let haul = haul.clone();
        tokio::spawn(async move {
            haul.run_schedule_with(schedule.id, Timestamp::now(), &options)
                .await
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !(control.is_held() && control.state() == ControlState::Paused) {
        assert!(
            std::time::Instant::now() < deadline,
            "the run is never held"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Held for a while, it finishes nothing, however often the job row says "running".
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!run.is_finished(), "a held run waits");
    assert_eq!(control.state(), ControlState::Paused);
    let weights = s
        .cache()
        .join("models--org--m/snapshots")
        .join(s.hub.commit_sha(fakehub::RepoType::Model, "org/m", 0))
        .join("weights.bin");
    assert!(!weights.exists(), "nothing lands while held");

    control.set(ControlState::Cancelled);
    let error = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the run ends once cancelled")
        .unwrap()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    let stored = haul.schedule(schedule.id).await.unwrap();
    assert_eq!(stored.last_result, Some(LastResult::Failed));

    // Without honouring windows (`run-now --here`), the same schedule runs to the end.
    let outcome = haul
        .run_schedule_with(
            schedule.id,
            Timestamp::now(),
            &RunOptions {
                control: Control::new(),
                honour_windows: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(outcome.result, LastResult::Ok);
    assert!(weights.exists());
}
