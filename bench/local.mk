# bench/: benchmarks, not tests (`make bench`).
#   bench/gen-tree N DIR       a synthetic tree of N recipes (python3)
#   $(O)/bench/tree-load DIR   time loading + evaluating it
BENCH_PROGS = $(O)/bench/tree-load

bench: $(BENCH_PROGS)

$(O)/bench/%: bench/%.c $(ALL_A)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(ALL_A) $(LIBS)

.PHONY: bench
