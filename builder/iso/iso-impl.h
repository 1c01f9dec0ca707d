/* iso-impl.h: what the steps of an ISO assembly share (private to
 * builder/iso/). */
#ifndef GILD_ISO_IMPL_H
#define GILD_ISO_IMPL_H

#include "iso/iso.h"

#endif /* GILD_ISO_IMPL_H */
