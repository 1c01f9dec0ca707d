# sandbox/local.mk: the seccomp filter is compiled once, at build time.
# gen-seccomp turns seccomp.c's rules into BPF through libseccomp and
# writes it as a C array (seccomp-bpf.c), which goes into sandbox.a beside
# the sources; sandbox_run loads it without compiling (start time).
SECCOMP_GEN = $(O)/sandbox/gen/gen-seccomp
SECCOMP_BPF = $(O)/sandbox/gen/seccomp-bpf

$(SECCOMP_GEN): sandbox/gen/gen-seccomp.c $(call obj,sandbox/seccomp.c) $(BASE_A)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
# (only the sources and objects: -MMD's dependency file adds the headers
# to the prerequisites, and clang refuses a header on a link line)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LIBS)

# In sanitizer builds (make asan, fuzz) libseccomp's own leak would fail it.
$(SECCOMP_BPF).c: $(SECCOMP_GEN)
	@echo "  GEN     $@"
	$(Q)ASAN_OPTIONS=detect_leaks=0 $(SECCOMP_GEN) >$@.tmp && mv $@.tmp $@

$(SECCOMP_BPF).o: $(SECCOMP_BPF).c $(O)/CFLAGS
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Isandbox -c -o $@ $<

$(SANDBOX_A): $(SECCOMP_BPF).o
