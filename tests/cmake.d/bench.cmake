# The benchmarks' own checks (bench/). Timings are never asserted: these
# only prove that the benchmarks run and that what they measure is right.
if(TARGET bench_decode)
  # 50 Pods through typed decode and encode; bench_decode exits 1 when the
  # round trip (decode -> encode -> cJSON_Compare with the original) differs.
  add_test(NAME bench_decode_smoke COMMAND bench_decode 50)
  set_tests_properties(bench_decode_smoke PROPERTIES LABELS unit TIMEOUT 120)
endif()
if(TARGET bench_podgen)
  # The generator: valid JSON, N items, every Pod within 5,000..8,192 bytes.
  add_test(NAME bench_podgen_check COMMAND bench_podgen 2000 --check)
  set_tests_properties(bench_podgen_check PROPERTIES LABELS unit TIMEOUT 120)
endif()
