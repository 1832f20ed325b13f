#define _GNU_SOURCE
// Console socket for terminal: true containers (runc's --console-socket contract): accepts one
// connection, receives the pty master over SCM_RIGHTS, then copies what the container writes to
// stdout until the pty closes or TIMEOUT seconds pass.
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) { fprintf(stderr, "usage: recv_console SOCKET [TIMEOUT]\n"); return 2; }
  int timeout = argc > 2 ? atoi(argv[2]) : 20;
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
  unlink(argv[1]);
  if (bind(s, (struct sockaddr*)&a, sizeof a) || listen(s, 1)) { perror("bind"); return 2; }
  struct pollfd p = {s, POLLIN, 0};
  if (poll(&p, 1, timeout * 1000) <= 0) { fprintf(stderr, "no connection\n"); return 3; }
  int c = accept(s, NULL, NULL);
  char buf[4096], cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  if (recvmsg(c, &m, 0) < 0) { perror("recvmsg"); return 3; }
  struct cmsghdr* cm = CMSG_FIRSTHDR(&m);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) { fprintf(stderr, "no fd received\n"); return 3; }
  int master;
  memcpy(&master, CMSG_DATA(cm), sizeof master);
  fprintf(stderr, "console master received\n");
  close(c);
  struct pollfd q = {master, POLLIN, 0};
  for (;;) {
    int r = poll(&q, 1, timeout * 1000);
    if (r <= 0) break;
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;
    fwrite(buf, 1, (size_t)n, stdout);
    fflush(stdout);
  }
  return 0;
}
