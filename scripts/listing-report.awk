# Reports the listing benchmarks' output (cluster/listing_bench_test.go) against issue 22's
# floor, one count-only request over the same directory (target ≤ max(2 × count, 100 ms)):
# whole listings of the strategy given (-v strategy=stream|windows), first screens, and listings
# with names known beforehand. Used by listing-bench.sh and etcd34-bench.sh.
#   awk -v strategy=windows -f scripts/listing-report.awk BENCH_OUTPUT

# metric returns the value printed before the unit name in a benchmark line; 0 when absent.
function metric(name,    i) {
  for (i = 4; i < NF; i++) if ($(i + 1) == name) return $i
  return 0
}

# dirname is the directory a benchmark's name encodes ("dir=_registry_events_" → /registry/events/).
function dirname(part,    d) {
  d = substr(part, 5); sub(/-[0-9]+$/, "", d); gsub("_", "/", d)
  return d == "" ? "(root)" : d
}

function verdict(ms, count,    floor) {
  floor = 2 * count; if (floor < 100) floor = 100
  return ms <= floor ? "within" : "OVER"
}

function ratio(ms, count) { return count > 0 ? ms / count : 0 }

{ split($1, p, "/") }

p[1] == "BenchmarkListing" && p[3] ~ "^" strategy {
  ms = $3 / 1e6; count = metric("count-ms")
  whole[++nw] = sprintf("  %-32s %8.1f ms  count %7.1f ms  ratio %5.2f  %-6s  %4d round trips, %8d keys counted",
    dirname(p[2]), ms, count, ratio(ms, count), verdict(ms, count), metric("roundtrips"), metric("keyscounted"))
}

p[1] == "BenchmarkListingFirstScreen" {
  ms = $3 / 1e6 + metric("details-ms"); count = metric("count-ms")
  first[++nf] = sprintf("  %-32s %8.1f ms + details %6.1f ms  count %7.1f ms  ratio %5.2f  %s",
    dirname(p[2]), $3 / 1e6, metric("details-ms"), count, ratio(ms, count), verdict(ms, count))
}

p[1] == "BenchmarkListingHinted" {
  hint = p[3]; sub(/-[0-9]+$/, "", hint); sub(/^hint=/, "", hint)
  ms = $3 / 1e6; count = metric("count-ms")
  hinted[++nh] = sprintf("  %-32s %-8s %8.1f ms  count %7.1f ms  ratio %5.2f  %-6s  %4d round trips, %8d keys counted",
    dirname(p[2]), hint, ms, count, ratio(ms, count), verdict(ms, count), metric("roundtrips"), metric("keyscounted"))
}

END {
  if (nw) {
    print "directory, " strategy " listing vs one count-only request (target ≤ max(2 × count, 100 ms)):"
    for (i = 1; i <= nw; i++) print whole[i]
  }
  if (nf) {
    print "first screen, as the Keys view shows a directory: a page of up to 50 rows, then the counts and"
    print "sizes of its first 40 rows (details), against one count-only request (target ≤ max(2 × count, 100 ms)):"
    for (i = 1; i <= nf; i++) print first[i]
  }
  if (nh) {
    print "listed with names known (the Keys view's hints): the directory's own, from listing it"
    print "before (self), a sibling's (sibling: /registry/events/ after /registry/pods/ and the reverse),"
    print "or a small sibling's listed first, its time included (probe: a first visit from the parent):"
    for (i = 1; i <= nh; i++) print hinted[i]
  }
}
