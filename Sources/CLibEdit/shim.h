// libedit's native interface with its wide-character calls (el_wgets, history_w): line editing
// (emacs keys, vi mode through ~/.editrc), history and completion, edited as characters, so a
// Cyrillic letter is one character to move over and delete. The variadic el_wset and history_w
// are wrapped here, one call a function, because Swift cannot call variadic C functions.
#include <stdio.h>
#include <locale.h>
#include <wchar.h>
#include <histedit.h>

typedef wchar_t *(*crmq_prompt_fn)(EditLine *);
typedef unsigned char (*crmq_key_fn)(EditLine *, int);

static inline EditLine *crmq_el_init(const char *name) { return el_init(name, stdin, stdout, stderr); }

/// Emacs keys, libedit's signal handling (the terminal is restored around Ctrl-C), the prompt,
/// the history, Tab bound to `complete`, Ctrl-R to incremental search; then ~/.editrc, which may
/// switch to vi keys (`bind -v`) or rebind anything.
static inline void crmq_el_setup(EditLine *el, HistoryW *history, crmq_prompt_fn prompt, crmq_key_fn complete) {
  el_wset(el, EL_EDITOR, L"emacs");
  el_wset(el, EL_SIGNAL, 1);
  el_wset(el, EL_PROMPT, prompt);
  el_wset(el, EL_HIST, history_w, history);
  el_wset(el, EL_ADDFN, L"crmq-complete", L"complete what the query expects here", complete);
  el_wset(el, EL_BIND, L"^I", L"crmq-complete", NULL);
  el_wset(el, EL_BIND, L"^R", L"em-inc-search-prev", NULL);
  el_wset(el, EL_BIND, L"\\e[1;5C", L"em-next-word", NULL);
  el_wset(el, EL_BIND, L"\\e[1;5D", L"ed-prev-word", NULL);
  el_source(el, NULL);
}

static inline HistoryW *crmq_history_init(int size) {
  HistoryW *history = history_winit();
  HistEventW event;
  history_w(history, &event, H_SETSIZE, size);
  history_w(history, &event, H_SETUNIQUE, 1);
  return history;
}

static inline void crmq_history_load(HistoryW *history, const char *path) {
  HistEventW event;
  history_w(history, &event, H_LOAD, path);
}

static inline void crmq_history_save(HistoryW *history, const char *path) {
  HistEventW event;
  history_w(history, &event, H_SAVE, path);
}

static inline void crmq_history_enter(HistoryW *history, const wchar_t *line) {
  HistEventW event;
  history_w(history, &event, H_ENTER, line);
}

/// The oldest entry (`first`), then each newer one; NULL after the newest.
static inline const wchar_t *crmq_history_step(HistoryW *history, int first) {
  HistEventW event;
  if (history_w(history, &event, first ? H_LAST : H_PREV) == -1) return NULL;
  return event.str;
}
