#include <signal.h>
#include <string.h>

#include "interrupt.h"
#include "msg.h"

static volatile sig_atomic_t caught;
static int output_closed;
static int stop_status;

static void on_signal(int sig)
{
	if (caught) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	caught = sig;
}

void interrupt_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void interrupt_output_closed(void)
{
	output_closed = 1;
	msg_mute(1);
}

void interrupt_stop(int status)
{
	if (!stop_status)
		stop_status = status;
}

int interrupt_requested(void)
{
	return caught != 0 || output_closed || stop_status;
}

int interrupt_signalled(void)
{
	return caught != 0;
}

int interrupt_status(void)
{
	if (caught)
		return 128 + caught;
	return output_closed ? 0 : stop_status;
}
