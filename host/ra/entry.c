/* The transport half's one exported table (host/ra/entry.h). */
#include "entry.h"

const ecm_ra_entry_points ecm_ra_entry = { ra_api_exchange, ra_est_enroll, ra_curl_cleanup, ra_raw_exchange };
