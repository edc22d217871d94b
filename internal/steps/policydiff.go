package steps

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/policy"
)

// policyField builds the field for a policy document: the canonical form is
// compared, the display names the statements.
func policyField(name, doc string) field {
	c, err := policy.Canonical(doc)
	if err != nil {
		return field{name: name, value: "unparseable policy", compare: "unparseable:" + doc}
	}
	st, _ := policy.CanonicalStatements(doc)
	return field{name: name, value: describeStatements(st), compare: c}
}

func describeStatements(st map[string]string) string {
	keys := make([]string, 0, len(st))
	for k := range st {
		if strings.HasPrefix(k, "{") {
			k = "(unnamed)"
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("%d statements: %s", len(keys), strings.Join(keys, ", "))
}

// explainPolicyDiff names the statements that are missing, changed or extra
// in actual compared with desired.
func explainPolicyDiff(desired, actual string) string {
	d, err1 := policy.CanonicalStatements(desired)
	a, err2 := policy.CanonicalStatements(actual)
	if err1 != nil || err2 != nil {
		return "policy differs"
	}
	var missing, changed, extra []string
	for k, v := range d {
		av, ok := a[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case av != v:
			changed = append(changed, k)
		}
	}
	for k := range a {
		if _, ok := d[k]; !ok {
			if strings.HasPrefix(k, "{") {
				k = "(unnamed)"
			}
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(changed)
	sort.Strings(extra)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+strings.Join(missing, ", "))
	}
	if len(changed) > 0 {
		parts = append(parts, "changed "+strings.Join(changed, ", "))
	}
	if len(extra) > 0 {
		parts = append(parts, "extra "+strings.Join(extra, ", "))
	}
	if len(parts) == 0 {
		return "same statements"
	}
	return strings.Join(parts, "; ")
}
