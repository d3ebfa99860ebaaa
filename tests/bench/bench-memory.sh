#!/usr/bin/env bash
# Streaming: peak memory stays flat in the input size. persona-craft --template over
# gzip inputs of 3 sizes (x10 each); the claim: the largest run needs at most 1.5x the
# memory of the smallest (~9 MB) — keeping as little as 5 bytes per record would miss
# it. And the speed-up of pipelines/fanout.sh -j 2 on 2 cores, for a CPU-bound stage
# (dialog-run offline) on a plain file. What limited it (measured here): every output
# line went through parallel's --tagstring and an awk splitter (1.31x; local jobs now
# write their shard's file themselves: 1.67x on 4,000 personas); then the fixed costs
# of a short run (parallel's start ~0.1 s, a perl reader per block that --pipe-part
# starts, the end where one job runs alone while the other has finished its last
# block: with 512k blocks 6 jobs on 2.4 s of work). Two halves started by hand reach
# 1.92x on this machine. The bench now runs 12,000 personas (~7 s alone) with -b -1
# (one block per job slot, fanout's advice for CPU-bound stages).
# Checked first: each run succeeds and writes one record per input record; the fan-out
# writes exactly the records of the single run.
# claims: persona-craft-peak-memory-1M/10k-gzip gnu-parallel-speedup-2-cores
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
# The same seed: each smaller input is the start of the larger one.
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1000000 --seed 8 -o "$WORK/p1m.jsonl.gz"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 100000 --seed 8 -o "$WORK/p100k.jsonl.gz"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 10000 --seed 8 -o "$WORK/p10k.jsonl.gz"
# peak SIZE N: persona-craft's peak memory (KB) over pSIZE.jsonl.gz, which has N records.
peak() {
	local written
	written=$(timed "$WORK/peak.time" persona-craft --template "$WORK/p$1.jsonl.gz" | wc -l)
	bench_expect "persona-craft wrote $written of $2 records" "$written" = "$2"
	awk '{ print $2 }' "$WORK/peak.time"
}
m10=$(peak 10k 10000)
m100=$(peak 100k 100000)
m1m=$(peak 1m 1000000)
claim persona-craft-peak-memory-1M/10k-gzip "$(ratio "$m1m" "$m10")" "<=" 1.5 \
	"10k: ${m10}KB, 100k: ${m100}KB, 1M: ${m1m}KB; guards: anything kept per record (5 bytes x 1M = 1.5x)"
# The speed-up: a CPU-bound job (offline dialogues) alone vs fanned out on 2 cores.
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 12000 --seed 8 | persona-craft --template >"$WORK/c12k.jsonl"
timed "$WORK/alone.time" dialog-run <"$WORK/c12k.jsonl" >"$WORK/alone.jsonl" 2>/dev/null
timed "$WORK/fan.time" "$SRC/pipelines/fanout.sh" -i "$WORK/c12k.jsonl" -o "$WORK/fan.jsonl" -j 2 -b -1 -- dialog-run 2>/dev/null
bench_expect "dialog-run wrote $(lines "$WORK/alone.jsonl") of 12000 conversations" "$(lines "$WORK/alone.jsonl")" = 12000
sort "$WORK/alone.jsonl" >"$WORK/alone.sorted"
sort "$WORK/fan.jsonl" >"$WORK/fan.sorted"
cmp -s "$WORK/alone.sorted" "$WORK/fan.sorted" || bench_fail "the fan-out wrote other records than the single run"
read -r t1 _ <"$WORK/alone.time"
read -r t2 _ <"$WORK/fan.time"
claim gnu-parallel-speedup-2-cores "$(ratio "$t1" "$t2")" ">=" 1.7 \
	"dialog-run (offline) 12000 personas: ${t1}s alone, ${t2}s with fanout -j 2 -b -1; guards: jobs run one after another, output through parallel (1.3x)"
rm -rf "$WORK"/p1m.jsonl.gz "$WORK"/p100k.jsonl.gz "$WORK"/p10k.jsonl.gz "$WORK"/c12k.jsonl "$WORK"/alone.* "$WORK"/fan.*
