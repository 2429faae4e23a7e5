/* Exercises shims/libsrtp3 (libsrtp 3 calls on top of Debian's libsrtp2) the way mediasoup's
 * SrtpSession does: a sending and a receiving session per profile, RTP and RTCP protected into a
 * separate buffer and unprotected in place, plus the error paths mediasoup relies on.
 * Built and run by build.test.ts; prints "ok" and exits 0 when everything holds. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "srtp.h"

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: %s (profile %d)\n", __FILE__, __LINE__, #cond, \
              (int)profile);                                                \
      return 1;                                                             \
    }                                                                       \
  } while (0)

static srtp_err_status_t session(srtp_t *s, srtp_profile_t profile, srtp_ssrc_type_t type,
                                 const uint8_t *key) {
  srtp_policy_t policy = NULL;
  srtp_ssrc_t ssrc = {type, 0};
  size_t key_len = srtp_profile_get_master_key_length(profile);
  size_t salt_len = srtp_profile_get_master_salt_length(profile);
  srtp_err_status_t err = srtp_policy_create(&policy);
  if (!err) err = srtp_policy_set_ssrc(policy, ssrc);
  if (!err) err = srtp_policy_set_profile(policy, profile);
  if (!err) err = srtp_policy_add_key(policy, key, key_len, key + key_len, salt_len, NULL, 0);
  if (!err) err = srtp_policy_set_allow_repeat_tx(policy, true);
  if (!err) err = srtp_policy_set_window_size(policy, 1024);
  if (!err) err = srtp_create(s, policy);
  srtp_policy_destroy(policy); /* mediasoup destroys it right after srtp_create() */
  return err;
}

static int roundtrip(srtp_profile_t profile) {
  uint8_t key[64];
  for (size_t i = 0; i < sizeof(key); i++) key[i] = (uint8_t)(i * 7 + 3);
  srtp_t tx, rx;
  CHECK(session(&tx, profile, ssrc_any_outbound, key) == srtp_err_status_ok);
  CHECK(session(&rx, profile, ssrc_any_inbound, key) == srtp_err_status_ok);

  /* RTP: version 2, payload type 96, sequence 1, SSRC 0x11223344, 200 bytes of payload. */
  uint8_t rtp[212] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44};
  for (size_t i = 12; i < sizeof(rtp); i++) rtp[i] = (uint8_t)i;
  uint8_t buf[1500];
  size_t len = sizeof(buf);
  CHECK(srtp_protect(tx, rtp, sizeof(rtp), buf, &len, 0) == srtp_err_status_ok);
  CHECK(len > sizeof(rtp) && memcmp(buf + 12, rtp + 12, 16) != 0); /* authenticated and encrypted */
  size_t plain = len;
  CHECK(srtp_unprotect(rx, buf, len, buf, &plain) == srtp_err_status_ok);
  CHECK(plain == sizeof(rtp) && memcmp(buf, rtp, sizeof(rtp)) == 0);

  /* A tampered packet is refused. */
  rtp[3] = 2;
  len = sizeof(buf);
  CHECK(srtp_protect(tx, rtp, sizeof(rtp), buf, &len, 0) == srtp_err_status_ok);
  buf[20] ^= 1;
  plain = len;
  CHECK(srtp_unprotect(rx, buf, len, buf, &plain) != srtp_err_status_ok);

  /* An output buffer without room for the trailer: libsrtp 3's buffer_small, nothing written. */
  rtp[3] = 3;
  len = sizeof(rtp);
  CHECK(srtp_protect(tx, rtp, sizeof(rtp), buf, &len, 0) == srtp_err_status_buffer_small);

  /* RTCP sender report from the same SSRC. */
  uint8_t rtcp[28] = {0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44};
  for (size_t i = 8; i < sizeof(rtcp); i++) rtcp[i] = (uint8_t)(i * 3);
  len = sizeof(buf);
  CHECK(srtp_protect_rtcp(tx, rtcp, sizeof(rtcp), buf, &len, 0) == srtp_err_status_ok);
  CHECK(len > sizeof(rtcp));
  plain = len;
  CHECK(srtp_unprotect_rtcp(rx, buf, len, buf, &plain) == srtp_err_status_ok);
  CHECK(plain == sizeof(rtcp) && memcmp(buf, rtcp, sizeof(rtcp)) == 0);

  /* mediasoup removes a stream by SSRC (network byte order) when a consumer goes away. */
  CHECK(srtp_stream_remove(tx, htonl(0x11223344)) == srtp_err_status_ok);
  CHECK(srtp_dealloc(tx) == srtp_err_status_ok && srtp_dealloc(rx) == srtp_err_status_ok);
  return 0;
}

int main(void) {
  srtp_profile_t profiles[] = {srtp_profile_aes128_cm_sha1_80, srtp_profile_aes128_cm_sha1_32,
                               srtp_profile_aead_aes_128_gcm, srtp_profile_aead_aes_256_gcm};
  if (srtp_init() != srtp_err_status_ok) return 1;
  for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
    if (roundtrip(profiles[i])) return 1;
  }
  srtp_shutdown();
  puts("ok");
  return 0;
}
