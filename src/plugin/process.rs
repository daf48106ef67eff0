//! The plugin process's housekeeping: which signals stop it, and noticing that Terraform
//! has gone.

use super::Stop;

/// go-plugin ignores SIGINT: Terraform forwards Ctrl-C to its whole process group and
/// then stops providers itself, in order. SIGTERM stops cleanly. In debug mode the user
/// owns the process, so Ctrl-C stops it.
#[cfg(unix)]
pub(super) fn watch_signals(debug: bool, stop: &Stop) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut count = 0u64;
        loop {
            tokio::select! {
                _ = interrupt.recv() => {
                    if debug {
                        break;
                    }
                    count += 1;
                    tracing::trace!(count, "interrupt signal ignored");
                }
                _ = terminate.recv() => break,
            }
        }
        stop.trigger();
    });
    Ok(())
}

/// On Windows the console delivers Ctrl-C to every process attached to it; go-plugin
/// ignores it there too, and Terraform stops the plugin by its Shutdown call (or kills
/// it). Once a handler is installed the console no longer ends the process by itself.
#[cfg(windows)]
pub(super) fn watch_signals(debug: bool, stop: &Stop) -> std::io::Result<()> {
    let mut ctrl_c = tokio::signal::windows::ctrl_c()?;
    let mut ctrl_break = tokio::signal::windows::ctrl_break()?;
    let stop = stop.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = ctrl_c.recv() => {}
                _ = ctrl_break.recv() => {}
            }
            if debug {
                break;
            }
            tracing::trace!("console interrupt ignored");
        }
        stop.trigger();
    });
    Ok(())
}

/// Neither unix nor Windows: nothing to watch; Shutdown still stops the plugin.
#[cfg(not(any(unix, windows)))]
pub(super) fn watch_signals(_debug: bool, _stop: &Stop) -> std::io::Result<()> {
    Ok(())
}

/// The process that started the plugin, read before the handshake line: a Terraform that
/// dies before the plugin starts watching has already re-parented it, and a parent read
/// then would be the new one, never to change.
#[cfg(unix)]
pub(super) fn parent() -> u32 {
    std::os::unix::process::parent_id()
}

/// Windows does not re-parent orphans; there is nothing to remember.
#[cfg(not(unix))]
pub(super) fn parent() -> u32 {
    0
}

/// Exits when Terraform is gone without saying so (killed, crashed): the process is then
/// re-parented away from `parent` (from [`parent`]), and nothing will ever call Shutdown.
/// Terraform hands the plugin its own stdin, which may be /dev/null, so end of input is no
/// sign of anything.
#[cfg(unix)]
pub(super) fn watch_parent(stop: &Stop, parent: u32) {
    use std::time::Duration;
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if std::os::unix::process::parent_id() != parent {
                tracing::warn!("Terraform has gone away; exiting");
                stop.trigger();
                break;
            }
        }
    });
}

/// Windows does not re-parent orphans, so there is no parent change to see; go-plugin's
/// client kills the plugin process when Terraform ends it, and when Terraform itself is
/// killed the plugin's next write to its closed connection ends the calls in flight.
#[cfg(not(unix))]
pub(super) fn watch_parent(_stop: &Stop, _parent: u32) {}
