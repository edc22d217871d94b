package eval

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// setQualifier is the ForAnyValue:/ForAllValues: prefix of an operator.
type setQualifier int

const (
	single setQualifier = iota
	forAnyValue
	forAllValues
)

// condition is one compiled operator/key pair.
type condition struct {
	key      string // lower case
	null     bool
	nullWant []bool // Null: the wanted "key is absent" values
	set      setQualifier
	ifExists bool
	negated  bool
	// match reports whether one context value matches any policy value
	// under the positive form of the operator.
	match func(ctxVal string) bool
}

// operator describes a base condition operator (without prefix or the
// IfExists suffix).
type operator struct {
	negated bool
	build   func(policyVals []string) (func(string) bool, error)
}

// operators lists the operators of the IAM condition operator reference.
// The Not forms share the matcher of their positive form and invert it.
var operators = map[string]operator{
	"StringEquals":              {false, stringEquals},
	"StringNotEquals":           {true, stringEquals},
	"StringEqualsIgnoreCase":    {false, stringEqualsFold},
	"StringNotEqualsIgnoreCase": {true, stringEqualsFold},
	"StringLike":                {false, stringLike},
	"StringNotLike":             {true, stringLike},
	"NumericEquals":             {false, numeric(func(c, p float64) bool { return c == p })},
	"NumericNotEquals":          {true, numeric(func(c, p float64) bool { return c == p })},
	"NumericLessThan":           {false, numeric(func(c, p float64) bool { return c < p })},
	"NumericLessThanEquals":     {false, numeric(func(c, p float64) bool { return c <= p })},
	"NumericGreaterThan":        {false, numeric(func(c, p float64) bool { return c > p })},
	"NumericGreaterThanEquals":  {false, numeric(func(c, p float64) bool { return c >= p })},
	"DateEquals":                {false, date(func(c, p time.Time) bool { return c.Equal(p) })},
	"DateNotEquals":             {true, date(func(c, p time.Time) bool { return c.Equal(p) })},
	"DateLessThan":              {false, date(func(c, p time.Time) bool { return c.Before(p) })},
	"DateLessThanEquals":        {false, date(func(c, p time.Time) bool { return !c.After(p) })},
	"DateGreaterThan":           {false, date(func(c, p time.Time) bool { return c.After(p) })},
	"DateGreaterThanEquals":     {false, date(func(c, p time.Time) bool { return !c.Before(p) })},
	"Bool":                      {false, boolEquals},
	"BinaryEquals":              {false, stringEquals},
	"IpAddress":                 {false, ipAddress},
	"NotIpAddress":              {true, ipAddress},
	"ArnEquals":                 {false, arnLike},
	"ArnLike":                   {false, arnLike},
	"ArnNotEquals":              {true, arnLike},
	"ArnNotLike":                {true, arnLike},
}

// compileCondition validates one operator and key of a Condition element.
func compileCondition(op, key string, vals []string) (condition, error) {
	c := condition{key: strings.ToLower(key)}
	name := op
	switch {
	case strings.HasPrefix(name, "ForAnyValue:"):
		c.set, name = forAnyValue, strings.TrimPrefix(name, "ForAnyValue:")
	case strings.HasPrefix(name, "ForAllValues:"):
		c.set, name = forAllValues, strings.TrimPrefix(name, "ForAllValues:")
	}
	if name == "Null" {
		if c.set != single {
			return c, fmt.Errorf("condition operator %q: Null takes no set qualifier", op)
		}
		c.null = true
		for _, v := range vals {
			if !isBool(v) {
				return c, fmt.Errorf("condition %s %s: value %q is not true or false", op, key, v)
			}
			c.nullWant = append(c.nullWant, strings.EqualFold(v, "true"))
		}
		return c, nil
	}
	if base, ok := strings.CutSuffix(name, "IfExists"); ok && base != "" {
		c.ifExists, name = true, base
	}
	o, ok := operators[name]
	if !ok {
		return c, fmt.Errorf("unknown condition operator %q", op)
	}
	m, err := o.build(vals)
	if err != nil {
		return c, fmt.Errorf("condition %s %s: %w", op, key, err)
	}
	c.negated, c.match = o.negated, m
	return c, nil
}

// eval applies the condition to the request context (lower-case keys, no
// empty value lists). Following the condition operator reference:
//   - a missing key makes positive operators false and negated operators
//     (…Not…) true, unless IfExists makes the condition true;
//   - Null:true holds exactly when the key is missing;
//   - without a set qualifier, the condition holds when any context value
//     matches any policy value (inverted for negated operators);
//   - ForAnyValue: at least one context value satisfies the operator (false
//     when the key is missing, unless IfExists);
//   - ForAllValues: every context value satisfies it (true when the key is
//     missing).
func (c condition) eval(ctx map[string][]string) bool {
	vals, present := ctx[c.key]
	if c.null {
		return slices.Contains(c.nullWant, !present)
	}
	switch c.set {
	case forAnyValue:
		if !present {
			return c.ifExists
		}
		return slices.ContainsFunc(vals, func(v string) bool { return c.match(v) != c.negated })
	case forAllValues:
		return !slices.ContainsFunc(vals, func(v string) bool { return c.match(v) == c.negated })
	default:
		if !present {
			return c.ifExists || c.negated
		}
		return slices.ContainsFunc(vals, c.match) != c.negated
	}
}

func stringEquals(pv []string) (func(string) bool, error) {
	return func(v string) bool { return slices.Contains(pv, v) }, nil
}

func stringEqualsFold(pv []string) (func(string) bool, error) {
	return func(v string) bool {
		return slices.ContainsFunc(pv, func(p string) bool { return strings.EqualFold(p, v) })
	}, nil
}

// stringLike: case-sensitive, * and ? wildcards anywhere in the value.
func stringLike(pv []string) (func(string) bool, error) {
	return func(v string) bool {
		return slices.ContainsFunc(pv, func(p string) bool { return wildcardMatch(p, v) })
	}, nil
}

// boolEquals compares "true"/"false" without regard to case.
func boolEquals(pv []string) (func(string) bool, error) {
	for _, p := range pv {
		if !isBool(p) {
			return nil, fmt.Errorf("value %q is not true or false", p)
		}
	}
	return stringEqualsFold(pv)
}

func isBool(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

// arnLike: ArnEquals and ArnLike behave the same in IAM (both match each ARN
// part with wildcards, case-sensitively).
func arnLike(pv []string) (func(string) bool, error) {
	return func(v string) bool {
		return slices.ContainsFunc(pv, func(p string) bool { return arnMatch(p, v) })
	}, nil
}

func numeric(cmp func(ctx, pol float64) bool) func([]string) (func(string) bool, error) {
	return func(pv []string) (func(string) bool, error) {
		nums := make([]float64, len(pv))
		for i, p := range pv {
			n, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return nil, fmt.Errorf("value %q is not a number", p)
			}
			nums[i] = n
		}
		return func(v string) bool {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return false
			}
			return slices.ContainsFunc(nums, func(p float64) bool { return cmp(n, p) })
		}, nil
	}
}

func date(cmp func(ctx, pol time.Time) bool) func([]string) (func(string) bool, error) {
	return func(pv []string) (func(string) bool, error) {
		ts := make([]time.Time, len(pv))
		for i, p := range pv {
			t, err := parseDate(p)
			if err != nil {
				return nil, err
			}
			ts[i] = t
		}
		return func(v string) bool {
			t, err := parseDate(v)
			if err != nil {
				return false
			}
			return slices.ContainsFunc(ts, func(p time.Time) bool { return cmp(t, p) })
		}, nil
	}
}

// parseDate accepts the ISO 8601 forms IAM documents (full timestamps with
// or without zone, dates) and epoch seconds.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("value %q is not a date", s)
}

// ipAddress matches IPv4/IPv6 addresses against CIDR blocks or single
// addresses.
func ipAddress(pv []string) (func(string) bool, error) {
	prefixes := make([]netip.Prefix, len(pv))
	for i, p := range pv {
		pf, err := netip.ParsePrefix(p)
		if err != nil {
			a, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return nil, fmt.Errorf("value %q is not an IP address or CIDR block", p)
			}
			pf = netip.PrefixFrom(a, a.BitLen())
		}
		prefixes[i] = pf.Masked()
	}
	return func(v string) bool {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		return slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(a) })
	}, nil
}
