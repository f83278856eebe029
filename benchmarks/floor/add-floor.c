// The floor of `add` for a tree of small files on this machine: the work any tool must do per file, in C, on two
// threads, and nothing else (no state, no manifest, no pointer, no error handling worth the name). Per file: stat,
// read it whole, md5 it (OpenSSL, as .NET uses), and unless the cache has the object, write it as an unnamed file in
// its cache folder and link it under its name (O_TMPFILE + linkat, as Mlops.DataVersioning does on Linux).
// Build: cc -O2 -pthread -o add-floor add-floor.c -lcrypto      Run: add-floor TREE CACHE   (prints wall seconds)
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char **files;
static int file_count, capacity, next_file;
static const char *cache;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void walk(const char *folder) {
  DIR *dir = opendir(folder);
  if (!dir) { perror(folder); exit(1); }
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (entry->d_name[0] == '.') continue;
    char *path;
    if (asprintf(&path, "%s/%s", folder, entry->d_name) < 0) exit(1);
    if (entry->d_type == DT_DIR) { walk(path); free(path); continue; }
    if (file_count == capacity) { capacity = capacity ? capacity * 2 : 1024; files = realloc(files, capacity * sizeof *files); }
    files[file_count++] = path;
  }
  closedir(dir);
}

static void *work(void *unused) {
  (void)unused;
  static __thread char buffer[1 << 20];
  char folder[4096], object[4096 + 64], self[64], hex[33];
  unsigned char md5[16];
  EVP_MD_CTX *context = EVP_MD_CTX_new();
  for (;;) {
    int i = __atomic_fetch_add(&next_file, 1, __ATOMIC_RELAXED);
    if (i >= file_count) break;
    struct stat status;
    if (stat(files[i], &status) != 0) { perror(files[i]); exit(1); }
    int in = open(files[i], O_RDONLY | O_CLOEXEC);
    ssize_t size = pread(in, buffer, sizeof buffer, 0);
    close(in);
    if (size < 0) { perror(files[i]); exit(1); }
    EVP_DigestInit_ex(context, EVP_md5(), NULL);
    EVP_DigestUpdate(context, buffer, size);
    EVP_DigestFinal_ex(context, md5, NULL);
    for (int k = 0; k < 16; k++) sprintf(hex + 2 * k, "%02x", md5[k]);
    snprintf(folder, sizeof folder, "%s/%.2s", cache, hex);
    snprintf(object, sizeof object, "%s/%s", folder, hex + 2);
    if (lstat(object, &status) == 0) continue;
    int out = open(folder, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444);
    if (out < 0) { mkdir(folder, 0755); out = open(folder, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444); }
    if (out < 0 || pwrite(out, buffer, size, 0) != size) { perror(folder); exit(1); }
    snprintf(self, sizeof self, "/proc/self/fd/%d", out);
    linkat(AT_FDCWD, self, AT_FDCWD, object, AT_SYMLINK_FOLLOW); // EEXIST: another thread stored the same bytes
    close(out);
  }
  EVP_MD_CTX_free(context);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: add-floor TREE CACHE\n"); return 2; }
  cache = argv[2];
  double start = now();
  walk(argv[1]);
  mkdir(cache, 0755);
  pthread_t a, b;
  pthread_create(&a, NULL, work, NULL);
  pthread_create(&b, NULL, work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%.4f %d\n", now() - start, file_count);
  return 0;
}
