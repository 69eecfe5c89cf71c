#include "GRULabShims.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

int grulab_retain_freed_memory(void) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    return mallopt(M_MMAP_THRESHOLD, 1 << 30) && mallopt(M_TRIM_THRESHOLD, 1 << 30);
#else
    return 0;
#endif
}

static volatile sig_atomic_t interrupt_signal = 0;

/* Only async-signal-safe work here: record the first signal. SA_RESETHAND has already put the
   default action back for the signal that arrived. */
static void record_interrupt(int signal_number) {
    if (interrupt_signal == 0) interrupt_signal = signal_number;
}

void grulab_trap_interrupts(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* A process inherits its parent thread's signal mask: one started from a thread that blocks
       every signal (a dispatch worker, say) would never see them. */
    sigset_t interrupts;
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &interrupts, NULL);
}

int grulab_interrupt_signal(void) {
    return interrupt_signal;
}
