/* seccomp-load.c: load the filter seccomp.c's rules compiled to at build
 * time (sandbox/gen/gen-seccomp.c wrote it as sandbox_seccomp_prog[]).
 * No libseccomp and no allocation here: the command's process calls this
 * between clone and exec, as its last step before exec. */
#include "sandbox-impl.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>

int sandbox_seccomp_load(struct gild_err *err)
{
	struct sock_fprog fprog = {
	    .len = (unsigned short)sandbox_seccomp_prog_len,
	    .filter = (struct sock_filter *)sandbox_seccomp_prog,
	};

	if (sandbox_seccomp_prog_len == 0 ||
	    sandbox_seccomp_prog_len > BPF_MAXINSNS)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "the built-in seccomp filter is empty");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot load the seccomp filter: %s",
				 strerror(errno));
	return 0;
}
