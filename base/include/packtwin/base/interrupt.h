// Ctrl-C (SIGINT) or SIGTERM while a command writes: the partial outputs
// registered by AtomicPath are removed with their SQLite sidecars (-wal,
// -shm, -journal), the user is told which outputs were not written, and the
// process exits 130 (128 + SIGINT, as shells report an interrupt). Commands
// with their own stop handling (record, replay, bms-emulate) replace it.
#pragma once

namespace packtwin {

void InstallInterruptCleanup();

// For commands that stop between steps instead (replay, ship, collect, fleet
// worker): Ctrl-C or SIGTERM only sets a flag, which StopRequested reads.
void InstallStopRequest();
bool StopRequested();

}  // namespace packtwin
