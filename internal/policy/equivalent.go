package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Equivalent reports whether two policy texts (plain or URL-encoded JSON)
// mean the same. It ignores whitespace, element order, the order of
// statements and of values within a list, duplicate values, a single string
// versus a one-element list, JSON booleans versus "true"/"false", the case
// of actions, condition key names and service principals, and the two
// spellings of an account principal (its 12-digit ID and its root ARN,
// which IAM documents as behaving the same) as well as "*" versus
// {"AWS":"*"}. Sid, Effect, Version, Id, resources and condition values
// must match (values of Bool and Null compare without case).
func Equivalent(a, b string) (bool, error) {
	ca, err := canonical(a)
	if err != nil {
		return false, fmt.Errorf("first policy: %w", err)
	}
	cb, err := canonical(b)
	if err != nil {
		return false, fmt.Errorf("second policy: %w", err)
	}
	return slices.Equal(ca, cb), nil
}

// Canonical returns one text per policy that is the same for two policies
// exactly when Equivalent says they mean the same, for comparing many
// policies without parsing them again.
func Canonical(text string) (string, error) {
	c, err := canonical(text)
	if err != nil {
		return "", err
	}
	return strings.Join(c, "\n"), nil
}

// CanonicalStatements returns the canonical text of each statement keyed by
// its Sid (statements without a Sid are keyed by their canonical text), so
// callers can name the statements in which two policies differ.
func CanonicalStatements(text string) (map[string]string, error) {
	d, err := Parse(text)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(d.Statement))
	for _, s := range d.Statement {
		c := canonicalStatement(s)
		key := s.Sid
		if key == "" {
			key = c
		}
		out[key] = c
	}
	return out, nil
}

// canonical returns the document header followed by the sorted canonical
// texts of its statements.
func canonical(text string) ([]string, error) {
	d, err := Parse(text)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(d.Statement)+1)
	for _, s := range d.Statement {
		out = append(out, canonicalStatement(s))
	}
	slices.Sort(out)
	return append([]string{"Version=" + d.Version + " Id=" + d.ID}, out...), nil
}

// canonicalStatement writes one statement in canonical form.
func canonicalStatement(s Statement) string {
	c := Statement{
		Sid:          s.Sid,
		Effect:       s.Effect,
		Principal:    canonicalPrincipal(s.Principal),
		NotPrincipal: canonicalPrincipal(s.NotPrincipal),
		Action:       canonicalValues(s.Action, strings.ToLower),
		NotAction:    canonicalValues(s.NotAction, strings.ToLower),
		Resource:     canonicalValues(s.Resource, nil),
		NotResource:  canonicalValues(s.NotResource, nil),
	}
	if len(s.Condition) > 0 {
		c.Condition = Condition{}
		for op, keys := range s.Condition {
			norm := (func(string) string)(nil)
			if op == "Null" || strings.TrimSuffix(op, "IfExists") == "Bool" {
				norm = strings.ToLower
			}
			m := c.Condition[op]
			if m == nil {
				m = map[string]Values{}
				c.Condition[op] = m
			}
			for k, v := range keys {
				lk := strings.ToLower(k)
				m[lk] = canonicalValues(append(slices.Clone(m[lk]), v...), norm)
			}
		}
	}
	return Document{Statement: []Statement{c}}.Compact()
}

// canonicalValues maps, sorts and de-duplicates values.
func canonicalValues(v Values, norm func(string) string) Values {
	if len(v) == 0 {
		return nil
	}
	out := make(Values, len(v))
	for i, s := range v {
		if norm != nil {
			s = norm(s)
		}
		out[i] = s
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func canonicalPrincipal(p *Principal) *Principal {
	if p == nil {
		return nil
	}
	if p.All || (slices.Contains(p.AWS, "*") && len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0) {
		return AnyPrincipal()
	}
	return &Principal{
		AWS:           canonicalValues(p.AWS, canonicalAccount),
		Service:       canonicalValues(p.Service, strings.ToLower),
		Federated:     canonicalValues(p.Federated, nil),
		CanonicalUser: canonicalValues(p.CanonicalUser, nil),
	}
}

// canonicalAccount writes an account principal — a 12-digit ID or
// arn:<p>:iam::<id>:root — as "account:<id>".
func canonicalAccount(v string) string {
	if IsAccountID(v) {
		return "account:" + v
	}
	parts := strings.Split(v, ":")
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[5] == "root" {
		return "account:" + parts[4]
	}
	return v
}
