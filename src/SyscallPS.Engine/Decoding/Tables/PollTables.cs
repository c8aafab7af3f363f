namespace SyscallPS.Decoding.Tables;

/// <summary>poll/epoll constants (asm-generic/poll.h, linux/eventpoll.h).</summary>
internal static class PollTables
{
    public static readonly FlagTable PollEvents = new("POLL",
    [
        (1, "POLLIN"), (2, "POLLPRI"), (4, "POLLOUT"), (8, "POLLERR"), (0x10, "POLLHUP"), (0x20, "POLLNVAL"), (0x40, "POLLRDNORM"),
        (0x80, "POLLRDBAND"), (0x100, "POLLWRNORM"), (0x200, "POLLWRBAND"), (0x400, "POLLMSG"), (0x1000, "POLLREMOVE"),
        (0x2000, "POLLRDHUP"),
    ]);

    public static readonly FlagTable EpollEvents = new("EPOLL",
    [
        (1, "EPOLLIN"), (2, "EPOLLPRI"), (4, "EPOLLOUT"), (8, "EPOLLERR"), (0x10, "EPOLLHUP"), (0x20, "EPOLLNVAL"),
        (0x40, "EPOLLRDNORM"), (0x80, "EPOLLRDBAND"), (0x100, "EPOLLWRNORM"), (0x200, "EPOLLWRBAND"), (0x400, "EPOLLMSG"),
        (0x2000, "EPOLLRDHUP"), (0x10000000, "EPOLLEXCLUSIVE"), (0x20000000, "EPOLLWAKEUP"), (0x40000000, "EPOLLONESHOT"),
        (0x80000000, "EPOLLET"),
    ]);

    public static readonly ValueTable EpollOps = new("EPOLL_CTL_", [(1, "EPOLL_CTL_ADD"), (2, "EPOLL_CTL_DEL"), (3, "EPOLL_CTL_MOD")]);

    public static readonly FlagTable EpollCreateFlags = new("EPOLL_", [(0x80000, "EPOLL_CLOEXEC")]);
}
