//! The desktop services Haul talks to over the D-Bus session bus: a notification daemon (the owner
//! of `org.freedesktop.Notifications`) and a system tray host (`org.kde.StatusNotifierWatcher`, the
//! StatusNotifierItem protocol that KDE, the GNOME AppIndicator extension, waybar and others speak).
//! Only the bus itself is asked who owns a name: nothing is activated, nothing is shown.

use super::Check;

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
const TRAY: &str = "org.kde.StatusNotifierWatcher";

const FIX_NOTIFICATIONS: &str = "start your desktop's notification service (GNOME and KDE have one; elsewhere e.g. dunst or mako); downloads work without it";
const FIX_TRAY: &str = "GNOME: install the AppIndicator extension; other desktops: enable a system tray (StatusNotifierItem) applet; without one, keep the window open or use `haul daemon`";

pub(super) async fn checks() -> Vec<Check> {
    match owners().await {
        Ok((notifications, tray)) => vec![
            if notifications {
                Check::ok(
                    "notifications",
                    format!("{NOTIFICATIONS} is on the session bus"),
                )
            } else {
                Check::warning(
                    "notifications",
                    format!(
                        "no notification daemon: nobody owns {NOTIFICATIONS} on the session bus"
                    ),
                    FIX_NOTIFICATIONS,
                )
            },
            if tray {
                Check::ok("tray", format!("{TRAY} is on the session bus"))
            } else {
                Check::warning(
                    "tray",
                    format!("no system tray host: nobody owns {TRAY} on the session bus"),
                    FIX_TRAY,
                )
            },
        ],
        Err(reason) => {
            let detail = format!("no D-Bus session bus ({reason})");
            let fix = "run Haul inside a desktop session (DBUS_SESSION_BUS_ADDRESS set); on a server this is expected: downloads and `haul daemon` work without it";
            vec![
                Check::warning("notifications", detail.clone(), fix),
                Check::warning("tray", detail, fix),
            ]
        }
    }
}

#[cfg(target_os = "linux")]
async fn owners() -> Result<(bool, bool), String> {
    use std::time::Duration;
    // A bus that accepts the connection but never answers must not hang doctor.
    let ask = async {
        let connection = zbus::Connection::session()
            .await
            .map_err(|e| one_line(&e.to_string()))?;
        let bus = zbus::fdo::DBusProxy::new(&connection)
            .await
            .map_err(|e| one_line(&e.to_string()))?;
        let mut owned = [false; 2];
        for (i, name) in [NOTIFICATIONS, TRAY].into_iter().enumerate() {
            let name = zbus::names::BusName::try_from(name).map_err(|e| e.to_string())?;
            owned[i] = bus
                .name_has_owner(name)
                .await
                .map_err(|e| one_line(&e.to_string()))?;
        }
        Ok((owned[0], owned[1]))
    };
    tokio::time::timeout(Duration::from_secs(10), ask)
        .await
        .unwrap_or_else(|_| Err("it did not answer within 10 seconds".into()))
}

/// Elsewhere notifications and the tray (menu bar) are part of the OS.
#[cfg(not(target_os = "linux"))]
async fn owners() -> Result<(bool, bool), String> {
    Ok((true, true))
}

#[cfg(target_os = "linux")]
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
