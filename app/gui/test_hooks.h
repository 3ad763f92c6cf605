#pragma once

namespace ilab::ui {
class MainWindow;
}

namespace ilab::app {

// Hooks that let a test drive a real ingress-lab process (tests/ui/app/recovery_kill_test.cpp), each off unless its
// environment variable is set:
//   ILAB_TEST_TYPE_FILE=F     types F's text (UTF-8) at the end of the YAML editor as key events, like a user
//   ILAB_TEST_DUMP=F          after typing (or at start, with nothing to type) writes the document's text to F
//   ILAB_TEST_ANSWER=NAME     clicks the button with objectName NAME in any message box that opens
// Progress goes to stdout as lines "ilab-test: …" (typed, dumped, dialog <objectName> <text>).
// installTestHooks before the recovery offer (it answers dialogs), runTestHooksAfterStartup right before app.exec().
void installTestHooks(ui::MainWindow* window);
void runTestHooksAfterStartup(ui::MainWindow* window);

}  // namespace ilab::app
