# The reflector's watch decoding (the lazy path straight from frame bytes and
# the cJSON fallback) against kube_watch_next() + kube_api_decode_json(),
# for unusual but valid envelopes and for malformed ones, over tserver.
kube_add_test(test_watch_envelopes LABELS "integration;thread" TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_watch_envelopes.c)
