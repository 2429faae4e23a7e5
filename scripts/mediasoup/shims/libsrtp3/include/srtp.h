/*
 * The part of the libsrtp 3 API (versatica's fork, the one mediasoup bundles) that the mediasoup
 * worker calls, mapped onto Debian's libsrtp2. What differs between the two:
 *  - libsrtp 3 builds a policy through an opaque handle and setters; libsrtp 2 uses a plain struct.
 *  - libsrtp 3 protects/unprotects from an input buffer into an output buffer with size_t
 *    lengths, and reports a too-small output buffer; libsrtp 2 works in place with int lengths.
 *  - two error codes (buffer_small, cryptex_err) exist only in libsrtp 3.
 * Everything else mediasoup uses (init, events, profiles, srtp_dealloc) is the same in both.
 */
#ifndef QUALMEET_SRTP3_ON_SRTP2_H
#define QUALMEET_SRTP3_ON_SRTP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <srtp2/srtp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same numbers as in libsrtp 3, right after srtp_err_status_pkt_idx_adv (27). */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

typedef struct qm_srtp3_policy *qm_srtp3_policy_t;

srtp_err_status_t qm_srtp3_policy_create(qm_srtp3_policy_t *policy);
void qm_srtp3_policy_destroy(qm_srtp3_policy_t policy);
srtp_err_status_t qm_srtp3_policy_set_ssrc(qm_srtp3_policy_t policy, srtp_ssrc_t ssrc);
srtp_err_status_t qm_srtp3_policy_set_profile(qm_srtp3_policy_t policy, srtp_profile_t profile);
srtp_err_status_t qm_srtp3_policy_add_key(qm_srtp3_policy_t policy,
                                          const uint8_t *key, size_t key_len,
                                          const uint8_t *salt, size_t salt_len,
                                          const uint8_t *mki, size_t mki_len);
srtp_err_status_t qm_srtp3_policy_set_allow_repeat_tx(qm_srtp3_policy_t policy, bool allow);
srtp_err_status_t qm_srtp3_policy_set_window_size(qm_srtp3_policy_t policy, size_t window_size);
srtp_err_status_t qm_srtp3_create(srtp_t *session, const qm_srtp3_policy_t policy);
srtp_err_status_t qm_srtp3_protect(srtp_t session, const uint8_t *rtp, size_t rtp_len,
                                   uint8_t *srtp, size_t *srtp_len, size_t mki_index);
srtp_err_status_t qm_srtp3_unprotect(srtp_t session, const uint8_t *srtp, size_t srtp_len,
                                     uint8_t *rtp, size_t *rtp_len);
srtp_err_status_t qm_srtp3_protect_rtcp(srtp_t session, const uint8_t *rtcp, size_t rtcp_len,
                                        uint8_t *srtcp, size_t *srtcp_len, size_t mki_index);
srtp_err_status_t qm_srtp3_unprotect_rtcp(srtp_t session, const uint8_t *srtcp, size_t srtcp_len,
                                          uint8_t *rtcp, size_t *rtcp_len);

#ifdef __cplusplus
}
#endif

/* libsrtp 2 already declares a struct type named srtp_policy_t and the in-place functions, so the
 * libsrtp 3 names are redirected to the functions above (after srtp2/srtp.h has been read). */
#define srtp_policy_t qm_srtp3_policy_t
#define srtp_policy_create qm_srtp3_policy_create
#define srtp_policy_destroy qm_srtp3_policy_destroy
#define srtp_policy_set_ssrc qm_srtp3_policy_set_ssrc
#define srtp_policy_set_profile qm_srtp3_policy_set_profile
#define srtp_policy_add_key qm_srtp3_policy_add_key
#define srtp_policy_set_allow_repeat_tx qm_srtp3_policy_set_allow_repeat_tx
#define srtp_policy_set_window_size qm_srtp3_policy_set_window_size
#define srtp_create qm_srtp3_create
#define srtp_protect qm_srtp3_protect
#define srtp_unprotect qm_srtp3_unprotect
#define srtp_protect_rtcp qm_srtp3_protect_rtcp
#define srtp_unprotect_rtcp qm_srtp3_unprotect_rtcp
/* Same operation under its libsrtp 2 name; both take the SSRC in network byte order. */
#define srtp_stream_remove srtp_remove_stream

#endif
