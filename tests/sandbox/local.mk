# tests/sandbox: the escape program run inside `gild sandbox` by
# tests/t/4010-sandbox-escape.sh. It links only libc (with no --root the
# host's /usr and /lib* are bound, so a dynamic binary runs inside).
# Never built with sanitizers: LeakSanitizer needs ptrace, which the
# sandbox's seccomp filter refuses, and ASan's shadow memory does not fit
# the memory limits the suite tests.
ESCAPE = $(O)/tests/sandbox/escape
TEST_PROGS += $(ESCAPE)

$(ESCAPE): tests/sandbox/escape.c tests/sandbox/local.mk
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-result -Wno-format-truncation \
		-O1 -g -o $@ $<
	$(Q)chmod 755 $@ # run inside the sandbox by its mapped user
