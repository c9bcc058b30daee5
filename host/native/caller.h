#ifndef ECM_CALLER_H
#define ECM_CALLER_H

/* Who started us: Chrome passes its origin as argv[1]; Firefox passes the manifest path and then its
 * extension ID. Returns a pointer into argv, or NULL when neither shape matches. */
const char *ecm_caller_from_argv(int argc, char **argv);

#endif
