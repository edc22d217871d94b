// Package policy models the IAM-style JSON policy documents hanavault
// writes (KMS key policies, S3 bucket policies, the replication role's
// trust and permission policies), builds them for a landscape, and compares
// policy texts semantically so the engine can detect drift.
//
// The grammar follows the IAM JSON policy reference
// (reference_policies_grammar, reference_policies_elements_*): a document
// has Version, optional Id and one or more statements; every element that
// takes values accepts a single string or a list of strings.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Version is the current policy language version. Every document hanavault
// writes uses it (policy variables need it).
const Version = "2012-10-17"

// legacyVersion is the older language version AWS still accepts.
const legacyVersion = "2008-10-17"

// Effect is a statement's effect.
type Effect string

// The two statement effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Document is one policy document.
type Document struct {
	Version   string
	ID        string // the optional "Id" element
	Statement []Statement
}

// Statement is one policy statement. Exactly one of Action/NotAction is
// set; at most one of Principal/NotPrincipal and of Resource/NotResource.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       Values
	NotAction    Values
	Resource     Values
	NotResource  Values
	Condition    Condition
}

// Condition maps a condition operator ("StringEquals",
// "ForAnyValue:StringLike", "BoolIfExists"...) to condition keys and their
// values. Operators are ANDed, keys within an operator are ANDed, values of
// one key are ORed.
type Condition map[string]map[string]Values

// Values is an element that is a single string or a list of strings in
// JSON. It marshals one value as a plain string and several as a list.
// Unmarshalling also accepts JSON booleans and numbers, which AWS accepts in
// condition values ("aws:SecureTransport": false).
type Values []string

// Principal is a Principal or NotPrincipal element: either the wildcard
// "*" (All) or a map from principal type to one or more principals.
type Principal struct {
	All           bool // the plain "*" form
	AWS           Values
	Service       Values
	Federated     Values
	CanonicalUser Values
}

// AWSPrincipal returns a principal naming AWS identities (account root
// ARNs, account IDs, role or user ARNs).
func AWSPrincipal(arns ...string) *Principal { return &Principal{AWS: arns} }

// ServicePrincipal returns a principal naming AWS service principals.
func ServicePrincipal(services ...string) *Principal { return &Principal{Service: services} }

// AnyPrincipal returns the "*" principal.
func AnyPrincipal() *Principal { return &Principal{All: true} }

// IsAccountID reports whether s is a 12-digit AWS account ID, as an AWS
// principal may name an account.
func IsAccountID(s string) bool {
	return len(s) == 12 && strings.Trim(s, "0123456789") == ""
}

// Parse parses a policy document. It accepts plain JSON or the URL-encoded
// form IAM returns, a single statement object or a list of statements, and
// a single string or a list wherever values are expected. It rejects
// unknown elements, element names in the wrong case, unknown effects,
// statements that combine an element with its Not form, and duplicate Sids
// (IAM requires them to be unique within a policy).
func Parse(text string) (Document, error) {
	plain, err := cloud.DecodePolicyDocument(text)
	if err != nil {
		return Document{}, err
	}
	if plain == "" {
		return Document{}, fmt.Errorf("parse policy document: empty document")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(plain), &top); err != nil {
		return Document{}, fmt.Errorf("parse policy document: %w", err)
	}
	var d Document
	for _, k := range sortedKeys(top) {
		raw := top[k]
		switch k {
		case "Version":
			if err := json.Unmarshal(raw, &d.Version); err != nil {
				return Document{}, fmt.Errorf("parse policy Version: %w", err)
			}
			if d.Version != Version && d.Version != legacyVersion {
				return Document{}, fmt.Errorf("parse policy document: unsupported Version %q (want %s)", d.Version, Version)
			}
		case "Id":
			if err := json.Unmarshal(raw, &d.ID); err != nil {
				return Document{}, fmt.Errorf("parse policy Id: %w", err)
			}
		case "Statement":
			st, err := parseStatements(raw)
			if err != nil {
				return Document{}, err
			}
			d.Statement = st
		default:
			return Document{}, fmt.Errorf("parse policy document: unknown element %q", k)
		}
	}
	if len(d.Statement) == 0 {
		return Document{}, fmt.Errorf("parse policy document: no Statement")
	}
	seen := map[string]bool{}
	for _, s := range d.Statement {
		if s.Sid != "" && seen[s.Sid] {
			return Document{}, fmt.Errorf("parse policy document: duplicate Sid %q", s.Sid)
		}
		seen[s.Sid] = true
	}
	return d, nil
}

func parseStatements(raw json.RawMessage) ([]Statement, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	if len(raw) > 0 && raw[0] == '{' {
		items = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("parse policy Statement: %w", err)
	}
	out := make([]Statement, 0, len(items))
	for i, it := range items {
		s, err := parseStatement(it)
		if err != nil {
			return nil, fmt.Errorf("parse policy statement %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return Statement{}, err
	}
	var s Statement
	for _, k := range sortedKeys(m) {
		v := m[k]
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &s.Sid)
		case "Effect":
			err = json.Unmarshal(v, &s.Effect)
		case "Principal":
			s.Principal = new(Principal)
			err = json.Unmarshal(v, s.Principal)
		case "NotPrincipal":
			s.NotPrincipal = new(Principal)
			err = json.Unmarshal(v, s.NotPrincipal)
		case "Action":
			err = json.Unmarshal(v, &s.Action)
		case "NotAction":
			err = json.Unmarshal(v, &s.NotAction)
		case "Resource":
			err = json.Unmarshal(v, &s.Resource)
		case "NotResource":
			err = json.Unmarshal(v, &s.NotResource)
		case "Condition":
			err = json.Unmarshal(v, &s.Condition)
		default:
			return Statement{}, fmt.Errorf("unknown element %q", k)
		}
		if err != nil {
			return Statement{}, fmt.Errorf("element %s: %w", k, err)
		}
	}
	if err := s.validate(); err != nil {
		return Statement{}, err
	}
	return s, nil
}

// validate checks the structural rules of the IAM grammar that do not depend
// on where the policy is attached.
func (s Statement) validate() error {
	name := s.Sid
	if name == "" {
		name = "(no Sid)"
	}
	switch {
	case s.Effect != Allow && s.Effect != Deny:
		return fmt.Errorf("statement %s: Effect %q is not Allow or Deny", name, s.Effect)
	case len(s.Action) > 0 && len(s.NotAction) > 0:
		return fmt.Errorf("statement %s: both Action and NotAction", name)
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		return fmt.Errorf("statement %s: no Action or NotAction", name)
	case len(s.Resource) > 0 && len(s.NotResource) > 0:
		return fmt.Errorf("statement %s: both Resource and NotResource", name)
	case s.Principal != nil && s.NotPrincipal != nil:
		return fmt.Errorf("statement %s: both Principal and NotPrincipal", name)
	}
	for op, keys := range s.Condition {
		if len(keys) == 0 {
			return fmt.Errorf("statement %s: condition operator %s has no keys", name, op)
		}
		for k, vals := range keys {
			if len(vals) == 0 {
				return fmt.Errorf("statement %s: condition %s %s has no values", name, op, k)
			}
		}
	}
	return nil
}

// JSON returns the document as JSON indented by two spaces, with a stable
// element order and no trailing newline.
func (d Document) JSON() string { return d.encode("  ") }

// Compact returns the document as single-line JSON with a stable element
// order.
func (d Document) Compact() string { return d.encode("") }

func (d Document) encode(indent string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	// Every field is a string, a string list or a map of them, so encoding
	// cannot fail.
	if err := enc.Encode(d); err != nil {
		panic(fmt.Sprintf("policy: encode document: %v", err))
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// member is one member of a JSON object that marshalObject writes when set.
type member struct {
	name  string
	value any
	set   bool
}

// marshalObject writes the set members as a JSON object, in the order
// given.
func marshalObject(members ...member) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	written := 0
	for _, m := range members {
		if !m.set {
			continue
		}
		if written > 0 {
			b.WriteByte(',')
		}
		written++
		b.WriteString(strconv.Quote(m.name))
		b.WriteByte(':')
		if err := writeJSON(&b, m.value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON writes Version, Id and Statement in that order.
func (d Document) MarshalJSON() ([]byte, error) {
	st := d.Statement
	if st == nil {
		st = []Statement{}
	}
	return marshalObject(
		member{"Version", d.Version, d.Version != ""},
		member{"Id", d.ID, d.ID != ""},
		member{"Statement", st, true},
	)
}

// MarshalJSON writes the statement's elements in the order of the IAM
// grammar, leaving out empty ones.
func (s Statement) MarshalJSON() ([]byte, error) {
	return marshalObject(
		member{"Sid", s.Sid, s.Sid != ""},
		member{"Effect", string(s.Effect), true},
		member{"Principal", s.Principal, s.Principal != nil},
		member{"NotPrincipal", s.NotPrincipal, s.NotPrincipal != nil},
		member{"Action", s.Action, len(s.Action) > 0},
		member{"NotAction", s.NotAction, len(s.NotAction) > 0},
		member{"Resource", s.Resource, len(s.Resource) > 0},
		member{"NotResource", s.NotResource, len(s.NotResource) > 0},
		member{"Condition", s.Condition, len(s.Condition) > 0},
	)
}

// MarshalJSON writes one value as a string and several as a list.
func (v Values) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if len(v) == 1 {
		if err := writeJSON(&b, v[0]); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	if err := writeJSON(&b, []string(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalJSON accepts a string, boolean or number, or a list of them.
func (v *Values) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
		out := make(Values, 0, len(items))
		for _, it := range items {
			s, err := scalar(it)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*v = out
		return nil
	}
	s, err := scalar(data)
	if err != nil {
		return err
	}
	*v = Values{s}
	return nil
}

// scalar turns a JSON string, boolean or number into its string form.
func scalar(data json.RawMessage) (string, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "", fmt.Errorf("empty value")
	}
	switch data[0] {
	case '"':
		var s string
		err := json.Unmarshal(data, &s)
		return s, err
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(data, &b); err != nil {
			return "", err
		}
		return strconv.FormatBool(b), nil
	case '{', '[', 'n':
		return "", fmt.Errorf("want a string, got %s", data)
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// MarshalJSON writes "*" for All, otherwise an object with the principal
// types in alphabetical order.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.All {
		return []byte(`"*"`), nil
	}
	return marshalObject(
		member{"AWS", p.AWS, len(p.AWS) > 0},
		member{"CanonicalUser", p.CanonicalUser, len(p.CanonicalUser) > 0},
		member{"Federated", p.Federated, len(p.Federated) > 0},
		member{"Service", p.Service, len(p.Service) > 0},
	)
}

// UnmarshalJSON accepts "*" or an object of AWS, Service, Federated and
// CanonicalUser entries.
func (p *Principal) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s != "*" {
			return fmt.Errorf("principal %q: a plain string principal must be \"*\"", s)
		}
		*p = Principal{All: true}
		return nil
	}
	var m map[string]Values
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if len(m) == 0 {
		return fmt.Errorf("empty principal")
	}
	var out Principal
	for k, v := range m {
		if len(v) == 0 {
			return fmt.Errorf("principal type %s has no values", k)
		}
		switch k {
		case "AWS":
			out.AWS = v
		case "Service":
			out.Service = v
		case "Federated":
			out.Federated = v
		case "CanonicalUser":
			out.CanonicalUser = v
		default:
			return fmt.Errorf("unknown principal type %q", k)
		}
	}
	*p = out
	return nil
}

// writeJSON encodes v without HTML escaping and without a trailing newline.
func writeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode appends '\n'
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
