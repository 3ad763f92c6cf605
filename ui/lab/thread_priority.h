#pragma once

namespace ilab::ui {

// Keeps the GUI thread ahead of the lab's busy threads on a saturated machine. The live lab runs the proxy
// workers, the simulated pods and the load generator in the GUI's process; at full load they want every core,
// and with equal priority the GUI thread waits its turn for tens of ms (gui_stall_bench: 50-90 ms gaps with
// only 12-30 ms of GUI work in them). This lowers the scheduling priority (Linux nice) of every other thread of
// the process to `niceValue` (never raising one; Qt's X11/D-Bus helper threads, which feed the GUI, are skipped), so the scheduler lets the GUI thread run as soon as it wakes;
// the data plane still gets all the CPU the GUI leaves. Call it from the GUI thread after threads were started.
// Returns the number of threads changed. No-op (0) off Linux or when not permitted.
int deprioritizeWorkerThreads(int niceValue = 5);

}  // namespace ilab::ui
