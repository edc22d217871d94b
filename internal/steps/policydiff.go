package steps

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
)

// canonicalStatements parses a policy document (plain or URL-encoded JSON)
// into canonical statement texts keyed by Sid, so that documents differing
// only in formatting, key order, list order or single-value lists compare
// equal. Statements without a Sid are keyed by their canonical text.
func canonicalStatements(doc string) (map[string]string, error) {
	plain, err := cloud.DecodePolicyDocument(doc)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(plain), &raw); err != nil {
		return nil, fmt.Errorf("parse policy document: %w", err)
	}
	var stmts []map[string]any
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one map[string]any
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("parse policy statement: %w", err)
		}
		stmts = []map[string]any{one}
	} else if len(raw.Statement) > 0 {
		if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
			return nil, fmt.Errorf("parse policy statements: %w", err)
		}
	}
	out := map[string]string{}
	for _, s := range stmts {
		sid, _ := s["Sid"].(string)
		c := map[string]any{}
		for k, v := range s {
			switch k {
			case "Sid":
			case "Action", "NotAction", "Resource", "NotResource":
				c[k] = stringSet(v)
			case "Principal", "NotPrincipal":
				if m, ok := v.(map[string]any); ok {
					pm := map[string]any{}
					for pk, pv := range m {
						pm[pk] = stringSet(pv)
					}
					c[k] = pm
				} else {
					c[k] = v
				}
			case "Condition":
				if m, ok := v.(map[string]any); ok {
					cm := map[string]any{}
					for op, keys := range m {
						km := map[string]any{}
						if kk, ok := keys.(map[string]any); ok {
							for key, vals := range kk {
								km[strings.ToLower(key)] = stringSet(vals)
							}
						}
						cm[op] = km
					}
					c[k] = cm
				} else {
					c[k] = v
				}
			default:
				c[k] = v
			}
		}
		b, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		key := sid
		if key == "" {
			key = string(b)
		}
		out[key] = string(b)
	}
	return out, nil
}

// stringSet turns a string, number, bool or list of them into a sorted
// list of strings.
func stringSet(v any) []string {
	var out []string
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			out = append(out, fmt.Sprint(x))
		}
	case nil:
	default:
		out = []string{fmt.Sprint(t)}
	}
	sort.Strings(out)
	return out
}

// canonicalPolicy returns one comparable string for a policy document.
func canonicalPolicy(doc string) (string, error) {
	st, err := canonicalStatements(doc)
	if err != nil {
		return "", err
	}
	keys := make([]string, 0, len(st))
	for k := range st {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString("=")
		b.WriteString(st[k])
		b.WriteString("\n")
	}
	return b.String(), nil
}

// policyField builds the field for a policy document: the canonical form is
// compared, the display names the statements.
func policyField(name, doc string) field {
	c, err := canonicalPolicy(doc)
	if err != nil {
		return field{name: name, value: "unparseable policy", compare: "unparseable:" + doc}
	}
	st, _ := canonicalStatements(doc)
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
	d, err1 := canonicalStatements(desired)
	a, err2 := canonicalStatements(actual)
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
