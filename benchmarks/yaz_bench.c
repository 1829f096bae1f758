/*
 * yaz_bench -- times YAZ's ISO 10161 ODR codec (ill_APDU) on one BER file.
 *
 * Usage: yaz_bench FILE [TARGET_MS [cpu|wall [REPEATS]]]
 *
 * Decodes FILE once to check it, then for each of decode and encode calibrates a batch size so that one
 * batch takes about TARGET_MS (default 80) and times one batch, by the process's CPU time (default: time
 * slices lost to other processes on a shared host do not count) or by CLOCK_MONOTONIC ("wall"). The batch
 * is split into REPEATS (default 5) equal parts and the fastest part is reported, as the harness does for
 * Python: a VM that flips between speed states then reports its fast state on both sides. The benchmark harness
 * runs this as one subprocess per round, so process start-up never counts. Output is one JSON line:
 *   {"decode_us": ..., "encode_us": ..., "octets": N, "encoded_octets": M}
 *
 * Decode includes odr_reset (YAZ frees decoded values by resetting its arena); encode re-encodes the value
 * decoded once, so it writes YAZ's own (indefinite-length) form of the same APDU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaz/odr.h>
#include <yaz/ill.h>

static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;

static double now(void)
{
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned char *buf;
static long buflen;
static ODR dec, enc;
static ILL_APDU *value;

static void run_decode(long n)
{
    for (long i = 0; i < n; i++)
    {
        ILL_APDU *apdu = 0;
        odr_reset(dec);
        odr_setbuf(dec, (char *) buf, (int) buflen, 0);
        if (!ill_APDU(dec, &apdu, 0, 0))
        {
            fprintf(stderr, "decode failed\n");
            exit(2);
        }
    }
}

static int last_len;

static void run_encode(long n)
{
    for (long i = 0; i < n; i++)
    {
        odr_reset(enc);
        if (!ill_APDU(enc, &value, 0, 0))
        {
            fprintf(stderr, "encode failed\n");
            exit(2);
        }
        odr_getbuf(enc, &last_len, 0);
    }
}

static int repeats = 5;

/* Seconds per operation: grow the batch until it takes at least target/4 seconds, then time `repeats` parts
   of a batch of about target seconds and keep the fastest part. */
static double per_op(void (*fn)(long), double target)
{
    long n = 1;
    for (;;)
    {
        double t0 = now();
        fn(n);
        double dt = now() - t0;
        if (dt >= target / 4)
        {
            long m = (long) (n * target / dt / repeats) + 1;
            double best = 1e9;
            for (int r = 0; r < repeats; r++)
            {
                t0 = now();
                fn(m);
                dt = (now() - t0) / m;
                if (dt < best)
                    best = dt;
            }
            return best;
        }
        n *= 4;
    }
}

int main(int argc, char **argv)
{
    FILE *f;
    ODR keep;
    double target = 0.080;
    if (argc < 2)
    {
        fprintf(stderr, "usage: %s FILE [TARGET_MS]\n", argv[0]);
        return 1;
    }
    if (argc > 2)
        target = atof(argv[2]) / 1000.0;
    if (argc > 3 && !strcmp(argv[3], "wall"))
        clock_id = CLOCK_MONOTONIC;
    if (argc > 4 && atoi(argv[4]) > 0)
        repeats = atoi(argv[4]);
    f = fopen(argv[1], "rb");
    if (!f)
    {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    buflen = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(buflen);
    if (fread(buf, 1, buflen, f) != (size_t) buflen)
    {
        perror(argv[1]);
        return 1;
    }
    fclose(f);

    dec = odr_createmem(ODR_DECODE);
    enc = odr_createmem(ODR_ENCODE);
    keep = odr_createmem(ODR_DECODE);
    odr_setbuf(keep, (char *) buf, (int) buflen, 0);
    if (!ill_APDU(keep, &value, 0, 0))
    {
        fprintf(stderr, "%s: YAZ cannot decode it\n", argv[1]);
        return 2;
    }
    double d = per_op(run_decode, target);
    double e = per_op(run_encode, target);
    printf("{\"decode_us\": %.4f, \"encode_us\": %.4f, \"octets\": %ld, \"encoded_octets\": %d}\n",
           d * 1e6, e * 1e6, buflen, last_len);
    odr_destroy(dec);
    odr_destroy(enc);
    odr_destroy(keep);
    free(buf);
    return 0;
}
