# The generic typed-API engine (src/api): arena, decode (bytes and cJSON),
# encode, copy, equal, on a hand-made schema and on the generated Pod.
kube_add_test(test_api_engine LABELS unit
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_api_engine.c)

# Every generated type round-trips a synthetic object that fills every field.
kube_add_test(test_api_roundtrip LABELS unit TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_api_roundtrip.c)
