// libedit's readline interface: line editing (emacs keys, vi mode through ~/.editrc), history
// and completion, with multibyte (UTF-8) input handled by libedit's wide-character core.
// libedit keeps its state in C globals; these accessors keep Swift away from shared mutable
// variables.
#include <stdio.h>
#include <locale.h>
#include <editline/readline.h>

static inline void crmq_set_completion(rl_completion_func_t *function) {
  rl_attempted_completion_function = function;
}

static inline void crmq_completion_over(void) { rl_attempted_completion_over = 1; }

static inline const char *crmq_line_buffer(void) { return rl_line_buffer; }

static inline int crmq_history_base(void) { return history_base; }

static inline void crmq_set_name(const char *name) { rl_readline_name = name; }
