package steps

import (
	"fmt"
	"strings"
)

// dependencyError is the error of a converge whose desired value names a
// key or the replication role that could not be found. When looking it up
// failed (AccessDenied, throttling, expired credentials), that failure is
// the error: it must not read as a missing resource. Otherwise the
// resource does not exist, as missing says.
func (r *run) dependencyError(st *step, what, missing string) error {
	for _, sd := range sides(r.l) {
		if dependsOn(st, stepID(sd.name, "key")) {
			if _, err := r.findKey(st, sd); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	if dependsOn(st, stepID(GlobalScope, "replication-role")) {
		if _, err := r.findRole(st); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return fmt.Errorf("%s: %s", what, missing)
}

// dependsOn reports whether st depends on the step id or on one of its
// settings.
func dependsOn(st *step, id string) bool {
	for _, d := range st.deps {
		if d == id || strings.HasPrefix(d, id+"/") {
			return true
		}
	}
	return false
}
