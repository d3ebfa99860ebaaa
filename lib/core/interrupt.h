/* interrupt — SIGINT and SIGTERM as a request to stop between records.
 *
 * Contract: after interrupt_install, the first SIGINT/SIGTERM only sets a flag;
 * long-running loops check interrupt_requested() between records, finish the line
 * they are writing, print their summary and exit with interrupt_status() (128 +
 * signal number, the shell convention). A second signal ends the program at once.
 * A closed output pipe (EPIPE, `... | head`) is the same request made quietly: from
 * interrupt_output_closed on, messages are muted and interrupt_status() is 0.
 * interrupt_stop is the same request made by the program itself, with its status.
 * Ownership: none (process-wide state).
 * Never ends the process: it only records what was asked.
 */
#ifndef PS_INTERRUPT_H
#define PS_INTERRUPT_H

void interrupt_install(void);
void interrupt_output_closed(void);
/* The program itself decided to stop early (an unreachable endpoint): the same path as
 * an interrupt, ending with status (75: worth a later rerun). */
void interrupt_stop(int status);
int interrupt_requested(void);
/* Was it SIGINT/SIGTERM (rather than a closed pipe or interrupt_stop)? */
int interrupt_signalled(void);
int interrupt_status(void);

#endif
