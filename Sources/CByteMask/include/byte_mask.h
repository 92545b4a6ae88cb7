#ifndef CRMQ_BYTE_MASK_H
#define CRMQ_BYTE_MASK_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit i set when byte i of the 64 at `bytes` is `a` or `b`: where the CSV scanner's fields end
/// (a delimiter or a line feed). SSE2 compares sixteen bytes at once, and `movemask` gathers the
/// results into bits, which Swift has no way to say; inline, so Swift's optimiser sees through it.
static inline uint64_t crmq_byte_mask64(const uint8_t *bytes, uint8_t a, uint8_t b) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8((char)a);
  const __m128i vb = _mm_set1_epi8((char)b);
  uint64_t mask = 0;
  for (int part = 0; part < 4; part++) {
    const __m128i x = _mm_loadu_si128((const __m128i *)(bytes + 16 * part));
    const __m128i found = _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb));
    mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(found) << (16 * part);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (int index = 0; index < 64; index++) {
    if (bytes[index] == a || bytes[index] == b) mask |= (uint64_t)1 << index;
  }
  return mask;
#endif
}

#endif
