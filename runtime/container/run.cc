// `run`: create + start, then (unless detached) wait for the container, forwarding signals and
// relaying the terminal, and exit with its code; delete it afterwards unless --keep.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/log.h"
#include "common/status.h"
#include "runtime/container/container.h"
#include "runtime/container/foreground.h"
#include "runtime/linux/console.h"
#include "runtime/linux/syscalls.h"
#include "runtime/linux/tty_relay.h"

namespace hull::container {
absl::StatusOr<int> Run(const Globals& g, const CreateOptions& opts, bool detach, bool keep) {
  std::optional<ForwardedSignalsBlock> block;
  if (!detach) block.emplace(/*terminal=*/true);
  // No exec FIFO: the init runs the program as soon as create's setup is done, so `run` is
  // create + start without the second hull process's work (reopen, lock, FIFO hand-off).
  ASSIGN_OR_RETURN(CreatedContainer c,
                   Create(g, opts, /*keep_console_master=*/!detach, CreateMode::kRun));
  UniqueFd master(c.console_master);  // sized by the init from our terminal (init.cc)
  if (absl::Status st = RunPoststartHooks(c.record); !st.ok()) {
    (void)Delete(g, opts.id, true);
    return st;
  }
  if (detach) return 0;
  absl::StatusOr<int> code = WaitForwardingSignals(c.pid, master.get());
  if (!keep) {
    if (absl::Status st = DeleteReaped(g, c.record); !st.ok()) log::Warn(st.message());
  } else if (code.ok()) {
    // Remember the exit code for `list --format ps` ("Exited (N) ... ago").
    StateStore store(g.root);
    if (auto dir = store.Open(opts.id); dir.ok()) {
      if (auto r = dir->Load(); r.ok()) {
        r->exit_code = *code;
        r->stopped_at = NowRfc3339();
        (void)dir->Save(*r);
      }
    }
  }
  return code;
}

}  // namespace hull::container
