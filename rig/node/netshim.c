/*
 * Kuray local node: per-pod loopback networking for unmodified processes (LD_PRELOAD).
 *
 * Every pod gets its own address in 127.0.0.0/8 (KURAY_POD_IP). Ray binds some servers to all
 * interfaces (GCS, raylet, metrics) and others to 127.0.0.1 as well as the node IP (the dashboard
 * agent), so two pods on one machine would fight over 6379, 8080, 52365, 10001 … and servers would
 * be reachable from outside loopback. This library gives each pod a private "localhost":
 *   bind    0.0.0.0 / :: / 127.0.0.1 / ::1 / a host IP → the pod IP (a duplicate localhost bind that then
 *           collides with the pod's own listener gets an ephemeral port instead);
 *   connect 127.0.0.1 / ::1                 → the pod IP (probes and RAY_ADDRESS=127.0.0.1:6379);
 *   getaddrinfo <service DNS name>          → the address listed for it in KURAY_HOSTS_FILE
 *           (a hosts(5)-style file the node maintains from Services and the pods they select);
 *           a bare name is tried as <name>.<KURAY_POD_NAMESPACE>, like a pod's DNS search path.
 * Ray turns 127.0.0.1 into the machine's routable address before dialling (resolve_ip_for_localhost),
 * so the node lists the machine's own addresses in KURAY_HOST_IPS and connect treats them as localhost.
 * Ports listed in KURAY_HOST_PORTS (comma separated) are left alone by connect (host services,
 * e.g. the kube-apiserver). Without KURAY_POD_IP the library does nothing.
 *
 * Files: a kubelet mounts volumes (configMap, secret, emptyDir, projected, the service-account
 * token) into the container; there are no mount namespaces here, so file calls on a path under a
 * mount point are redirected to the directory where the node wrote that volume. KURAY_MOUNTS lists
 * them, one "<container path>=<host path>" per line; the longest matching mount point wins.
 * KURAY_SA_DIR is the service-account mount (/var/run/secrets/kubernetes.io/serviceaccount and
 * its /run spelling). Covered: open*, fopen*, stat*, statx, access, opendir, mkdir, readlink,
 * unlink, rename, execve and chdir — what Python, bash and Ray use to read scripts and data.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_getaddrinfo)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

static int host_ip(uint32_t ip_be);

static int pod_ip_ok = -1;
static struct in_addr pod_ip;

static int have_pod_ip(void) {
  if (pod_ip_ok < 0) {
    const char *s = getenv("KURAY_POD_IP");
    pod_ip_ok = (s && inet_pton(AF_INET, s, &pod_ip) == 1) ? 1 : 0;
  }
  return pod_ip_ok;
}

static int is_v4_any_or_lo(const struct sockaddr_in *a, int *was_lo) {
  uint32_t x = ntohl(a->sin_addr.s_addr);
  *was_lo = x == INADDR_LOOPBACK;
  return x == INADDR_ANY || x == INADDR_LOOPBACK;
}

static int is_v6_any_or_lo(const struct sockaddr_in6 *a, int *was_lo) {
  *was_lo = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) || *was_lo) return 1;
  if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
    uint32_t x;
    memcpy(&x, &a->sin6_addr.s6_addr[12], 4);
    x = ntohl(x);
    *was_lo = x == INADDR_LOOPBACK;
    return x == INADDR_ANY || x == INADDR_LOOPBACK;
  }
  return 0;
}

static void set_v6_mapped(struct sockaddr_in6 *a) {
  memset(&a->sin6_addr, 0, sizeof a->sin6_addr);
  a->sin6_addr.s6_addr[10] = 0xff;
  a->sin6_addr.s6_addr[11] = 0xff;
  memcpy(&a->sin6_addr.s6_addr[12], &pod_ip.s_addr, 4);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  if (!real_bind) real_bind = dlsym(RTLD_NEXT, "bind");
  if (!have_pod_ip() || !addr) return real_bind(fd, addr, len);
  int was_lo = 0;
  if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in a;
    memcpy(&a, addr, sizeof a);
    /* The machine's own address means this host too (Ray binds the address it resolved itself). */
    if (!is_v4_any_or_lo(&a, &was_lo) && !host_ip(a.sin_addr.s_addr)) return real_bind(fd, addr, len);
    a.sin_addr = pod_ip;
    int r = real_bind(fd, (struct sockaddr *)&a, sizeof a);
    if (r != 0 && errno == EADDRINUSE && was_lo && a.sin_port != 0) {
      a.sin_port = 0;
      r = real_bind(fd, (struct sockaddr *)&a, sizeof a);
    }
    return r;
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 a;
    memcpy(&a, addr, sizeof a);
    if (!is_v6_any_or_lo(&a, &was_lo)) return real_bind(fd, addr, len);
    set_v6_mapped(&a);
    int r = real_bind(fd, (struct sockaddr *)&a, sizeof a);
    if (r != 0 && errno == EADDRINUSE && was_lo && a.sin6_port != 0) {
      a.sin6_port = 0;
      r = real_bind(fd, (struct sockaddr *)&a, sizeof a);
    }
    /* An IPV6_V6ONLY socket cannot take a mapped address: keep its original bind. */
    if (r != 0 && (errno == EINVAL || errno == EADDRNOTAVAIL)) return real_bind(fd, addr, len);
    return r;
  }
  return real_bind(fd, addr, len);
}

static int host_port(uint16_t port_be) {
  const char *s = getenv("KURAY_HOST_PORTS");
  if (!s) return 0;
  unsigned port = ntohs(port_be);
  while (*s) {
    char *end;
    unsigned long p = strtoul(s, &end, 10);
    if (end == s) break;
    if (p == port) return 1;
    s = *end ? end + 1 : end;
  }
  return 0;
}

static int host_ip(uint32_t ip_be) {
  const char *s = getenv("KURAY_HOST_IPS");
  if (!s) return 0;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", s);
  char *save = NULL;
  for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    struct in_addr a;
    if (inet_pton(AF_INET, t, &a) == 1 && a.s_addr == ip_be) return 1;
  }
  return 0;
}

static int is_local_v4(uint32_t ip_be) { return ntohl(ip_be) == INADDR_LOOPBACK || host_ip(ip_be); }

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  if (!real_connect) real_connect = dlsym(RTLD_NEXT, "connect");
  if (!have_pod_ip() || !addr) return real_connect(fd, addr, len);
  if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in a;
    memcpy(&a, addr, sizeof a);
    if (!is_local_v4(a.sin_addr.s_addr) || host_port(a.sin_port))
      return real_connect(fd, addr, len);
    a.sin_addr = pod_ip;
    return real_connect(fd, (struct sockaddr *)&a, sizeof a);
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 a;
    memcpy(&a, addr, sizeof a);
    int local = IN6_IS_ADDR_LOOPBACK(&a.sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
      uint32_t x;
      memcpy(&x, &a.sin6_addr.s6_addr[12], 4);
      local = is_local_v4(x);
    }
    if (!local || host_port(a.sin6_port)) return real_connect(fd, addr, len);
    set_v6_mapped(&a);
    return real_connect(fd, (struct sockaddr *)&a, sizeof a);
  }
  return real_connect(fd, addr, len);
}

/* The address the hosts file gives `name` (first match), written into `out` (INET_ADDRSTRLEN). */
static int lookup_hosts(const char *name, char *out) {
  const char *path = getenv("KURAY_HOSTS_FILE");
  if (!path || !name || !*name) return 0;
  size_t n = strlen(name);
  if (n > 0 && name[n - 1] == '.') n--;
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  char line[4096];
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    char *save = NULL;
    char *ip = strtok_r(line, " \t\r\n", &save);
    if (!ip || ip[0] == '#') continue;
    for (char *h = strtok_r(NULL, " \t\r\n", &save); h; h = strtok_r(NULL, " \t\r\n", &save)) {
      if (strlen(h) == n && strncasecmp(h, name, n) == 0) {
        snprintf(out, INET6_ADDRSTRLEN, "%s", ip);
        found = 1;
        break;
      }
    }
  }
  fclose(f);
  return found;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
  if (!real_getaddrinfo) real_getaddrinfo = dlsym(RTLD_NEXT, "getaddrinfo");
  char ip[INET6_ADDRSTRLEN];
  if (have_pod_ip() && node) {
    if (lookup_hosts(node, ip)) return real_getaddrinfo(ip, service, hints, res);
    /* A bare service name means <name>.<pod namespace> (the resolv.conf search path of a pod). */
    const char *ns = getenv("KURAY_POD_NAMESPACE");
    if (ns && *ns && !strchr(node, '.')) {
      char qualified[512];
      snprintf(qualified, sizeof qualified, "%s.%s", node, ns);
      if (lookup_hosts(qualified, ip)) return real_getaddrinfo(ip, service, hints, res);
    }
  }
  return real_getaddrinfo(node, service, hints, res);
}

/* ---- the pod's mounts ----------------------------------------------------------------------- */

#define MAX_MOUNTS 64
struct mount {
  char *at;   /* the container path (no trailing slash) */
  size_t len;
  char *to;   /* the host directory or file */
};
static struct mount mounts[MAX_MOUNTS];
static int n_mounts = -1;

static void add_mount(const char *at, size_t at_len, const char *to) {
  while (at_len > 1 && at[at_len - 1] == '/') at_len--;
  if (n_mounts >= MAX_MOUNTS || at_len == 0 || !*to) return;
  mounts[n_mounts].at = strndup(at, at_len);
  mounts[n_mounts].len = at_len;
  mounts[n_mounts].to = strdup(to);
  if (mounts[n_mounts].at && mounts[n_mounts].to) n_mounts++;
}

/* Parsed once: the table never changes during a container's life. */
static void load_mounts(void) {
  if (n_mounts >= 0) return;
  n_mounts = 0;
  const char *sa = getenv("KURAY_SA_DIR");
  if (sa && *sa) {
    add_mount("/var/run/secrets/kubernetes.io/serviceaccount", 45, sa);
    add_mount("/run/secrets/kubernetes.io/serviceaccount", 41, sa);
  }
  const char *list = getenv("KURAY_MOUNTS");
  if (!list) return;
  char *copy = strdup(list);
  if (!copy) return;
  for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *eq = strchr(line, '=');
    if (eq && line[0] == '/') add_mount(line, (size_t)(eq - line), eq + 1);
  }
  free(copy);
}

/* `path` under a mount point → the same file under the mount's host path (in buf); else path. */
static const char *mount_path(const char *path, char *buf, size_t size) {
  if (!path || path[0] != '/') return path;
  load_mounts();
  const struct mount *best = NULL;
  for (int i = 0; i < n_mounts; i++) {
    const struct mount *m = &mounts[i];
    if (strncmp(path, m->at, m->len) == 0 && (path[m->len] == '\0' || path[m->len] == '/') &&
        (!best || m->len > best->len))
      best = m;
  }
  if (!best) return path;
  if ((size_t)snprintf(buf, size, "%s%s", best->to, path + best->len) >= size) return path;
  return buf;
}

#define SA_BUF char sa_buf[4096]
#define SA(p) mount_path((p), sa_buf, sizeof sa_buf)
/* The next definition of `name`, looked up once per function. */
#define REAL(name)                                                  \
  ({                                                                \
    static __typeof__(&name) real_;                                 \
    if (!real_) real_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name); \
    real_;                                                          \
  })

static mode_t open_mode(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  SA_BUF;
  return REAL(open)(SA(path), flags, mode);
}

int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  SA_BUF;
  return REAL(open64)(SA(path), flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  SA_BUF;
  return REAL(openat)(dirfd, SA(path), flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  SA_BUF;
  return REAL(openat64)(dirfd, SA(path), flags, mode);
}

FILE *fopen(const char *restrict path, const char *restrict mode) {
  SA_BUF;
  return REAL(fopen)(SA(path), mode);
}

FILE *fopen64(const char *restrict path, const char *restrict mode) {
  SA_BUF;
  return REAL(fopen64)(SA(path), mode);
}

int stat(const char *restrict path, struct stat *restrict st) {
  SA_BUF;
  return REAL(stat)(SA(path), st);
}

int stat64(const char *restrict path, struct stat64 *restrict st) {
  SA_BUF;
  return REAL(stat64)(SA(path), st);
}

int lstat(const char *restrict path, struct stat *restrict st) {
  SA_BUF;
  return REAL(lstat)(SA(path), st);
}

int lstat64(const char *restrict path, struct stat64 *restrict st) {
  SA_BUF;
  return REAL(lstat64)(SA(path), st);
}

int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags) {
  SA_BUF;
  return REAL(fstatat)(dirfd, SA(path), st, flags);
}

int fstatat64(int dirfd, const char *restrict path, struct stat64 *restrict st, int flags) {
  SA_BUF;
  return REAL(fstatat64)(dirfd, SA(path), st, flags);
}

int statx(int dirfd, const char *restrict path, int flags, unsigned int mask, struct statx *restrict st) {
  SA_BUF;
  return REAL(statx)(dirfd, SA(path), flags, mask, st);
}

int access(const char *path, int how) {
  SA_BUF;
  return REAL(access)(SA(path), how);
}

int faccessat(int dirfd, const char *path, int how, int flags) {
  SA_BUF;
  return REAL(faccessat)(dirfd, SA(path), how, flags);
}

DIR *opendir(const char *path) {
  SA_BUF;
  return REAL(opendir)(SA(path));
}

int mkdir(const char *path, mode_t mode) {
  SA_BUF;
  return REAL(mkdir)(SA(path), mode);
}

ssize_t readlink(const char *restrict path, char *restrict out, size_t size) {
  SA_BUF;
  return REAL(readlink)(SA(path), out, size);
}

int unlink(const char *path) {
  SA_BUF;
  return REAL(unlink)(SA(path));
}

int rename(const char *from, const char *to) {
  SA_BUF;
  char to_buf[4096];
  return REAL(rename)(SA(from), mount_path(to, to_buf, sizeof to_buf));
}

int chdir(const char *path) {
  SA_BUF;
  return REAL(chdir)(SA(path));
}

int execve(const char *path, char *const argv[], char *const envp[]) {
  SA_BUF;
  return REAL(execve)(SA(path), argv, envp);
}
