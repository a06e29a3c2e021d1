/* bench_fota: fotabench --fota, whole FOTAs through fotasim against stock tools' floor. */
#ifndef FOTASIM_BENCH_FOTA_H
#define FOTASIM_BENCH_FOTA_H

struct bench_fota {
  const char *url;      /* the package, served over HTTP(S) on this machine */
  const char *source;   /* --image for the modules (a delta's source); NULL: the built-in one */
  const char *fotasim;  /* the program to start */
  int parallel;         /* modules of one process, each running the FOTA at once */
  int rounds;
};

/* Prints the floor, the module's time and their ratio (medians); 0, or 1 after a message. */
int bench_fota(const struct bench_fota *b);

#endif
