package eval

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hanavault/hanavault/internal/policy"
)

// Policy is a parsed and validated policy, ready to evaluate many requests.
// It is immutable and safe for concurrent use.
type Policy struct {
	identity bool
	stmts    []statement
}

type statement struct {
	index        int
	sid          string
	deny         bool
	principal    *policy.Principal
	notPrincipal bool
	actions      []string // lower case
	notAction    bool
	resources    []string // nil: the statement names no resource (trust policies)
	notResource  bool
	conds        []condition
}

// outcome is what one policy says about one request: the index of the first
// matching Deny statement, of the first Allow statement that matched the
// principal directly, and of the first Allow statement that matched it only
// through its account (-1 for none).
type outcome struct {
	deny, direct, account int
}

func noOutcome() outcome { return outcome{deny: -1, direct: -1, account: -1} }

// Compile parses and validates a policy. identity says whether it is an
// identity policy (no Principal element allowed) or a resource policy (every
// statement needs Principal or NotPrincipal). Unknown condition operators
// and malformed operator values are errors.
func Compile(policyJSON string, identity bool) (*Policy, error) {
	doc, err := policy.Parse(policyJSON)
	if err != nil {
		return nil, err
	}
	p := &Policy{identity: identity}
	for i, s := range doc.Statement {
		st, err := compileStatement(i, s, identity)
		if err != nil {
			name := fmt.Sprintf("statement %d", i)
			if s.Sid != "" {
				name = fmt.Sprintf("statement %q", s.Sid)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p.stmts = append(p.stmts, st)
	}
	return p, nil
}

// compiled caches compiled policies by text: the in-memory account
// authorizes every data-plane call against the same few documents, and
// parsing dominates the cost (see BenchmarkAuthorize). Policies are
// immutable, so sharing them is safe. When the cache is full it is emptied.
var compiled = struct {
	sync.Mutex
	m map[cacheKey]*Policy
}{m: map[cacheKey]*Policy{}}

type cacheKey struct {
	text     string
	identity bool
}

const cacheLimit = 128

// compileCached is Compile with the cache; errors are not cached.
func compileCached(text string, identity bool) (*Policy, error) {
	k := cacheKey{text, identity}
	compiled.Lock()
	p, ok := compiled.m[k]
	compiled.Unlock()
	if ok {
		return p, nil
	}
	p, err := Compile(text, identity)
	if err != nil {
		return nil, err
	}
	compiled.Lock()
	if len(compiled.m) >= cacheLimit {
		clear(compiled.m)
	}
	compiled.m[k] = p
	compiled.Unlock()
	return p, nil
}

func compileStatement(i int, s policy.Statement, identity bool) (statement, error) {
	st := statement{index: i, sid: s.Sid, deny: s.Effect == policy.Deny}
	switch {
	case identity && (s.Principal != nil || s.NotPrincipal != nil):
		return st, fmt.Errorf("an identity policy cannot have a Principal or NotPrincipal element")
	case !identity && s.Principal == nil && s.NotPrincipal == nil:
		return st, fmt.Errorf("a resource policy statement needs a Principal or NotPrincipal element")
	case s.NotPrincipal != nil && !st.deny:
		return st, fmt.Errorf("NotPrincipal is supported only with Effect Deny")
	}
	if s.NotPrincipal != nil {
		st.principal, st.notPrincipal = s.NotPrincipal, true
	} else {
		st.principal = s.Principal
	}
	acts := s.Action
	if len(s.NotAction) > 0 {
		acts, st.notAction = s.NotAction, true
	}
	for _, a := range acts {
		if a != "*" && !strings.Contains(a, ":") {
			return st, fmt.Errorf("action %q is not of the form service:Action", a)
		}
		st.actions = append(st.actions, strings.ToLower(a))
	}
	switch {
	case len(s.NotResource) > 0:
		st.resources, st.notResource = s.NotResource, true
	case len(s.Resource) > 0:
		st.resources = s.Resource
	}
	ops := make([]string, 0, len(s.Condition))
	for op := range s.Condition {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		keys := s.Condition[op]
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			c, err := compileCondition(op, k, keys[k])
			if err != nil {
				return st, err
			}
			st.conds = append(st.conds, c)
		}
	}
	return st, nil
}

// Evaluate evaluates the policy for one request.
func (p *Policy) Evaluate(req Request) Result {
	label := "resource policy"
	if p.identity {
		label = "identity policy"
	}
	o := p.evaluate(newCaller(req, ""))
	switch {
	case o.deny >= 0:
		return p.result(ExplicitDeny, label, o.deny)
	case o.direct >= 0:
		return p.result(Allow, label, o.direct)
	case o.account >= 0:
		return p.result(Allow, label, o.account)
	}
	return Result{Decision: ImplicitDeny, Statement: -1}
}

func (p *Policy) result(d Decision, label string, i int) Result {
	return Result{Decision: d, Policy: label, Sid: p.stmts[i].sid, Statement: i}
}

func (p *Policy) evaluate(c *caller) outcome {
	o := noOutcome()
	for _, s := range p.stmts {
		kind := matchDirect
		if !p.identity {
			kind = s.matchPrincipal(c)
			if kind == noMatch {
				continue
			}
		}
		if !s.matchAction(c.action) || !s.matchResource(c.resource) || !s.matchConditions(c.ctx) {
			continue
		}
		switch {
		case s.deny:
			if o.deny < 0 {
				o.deny = s.index
			}
		case kind == matchDirect:
			if o.direct < 0 {
				o.direct = s.index
			}
		default:
			if o.account < 0 {
				o.account = s.index
			}
		}
	}
	return o
}

func (s statement) matchPrincipal(c *caller) matchKind {
	if s.notPrincipal {
		if c.excludedBy(s.principal) {
			return noMatch
		}
		return matchDirect
	}
	return c.matchedBy(s.principal)
}

// matchAction: actions are case-insensitive and may use * and ?
// (reference_policies_elements_action).
func (s statement) matchAction(action string) bool {
	hit := false
	for _, a := range s.actions {
		if wildcardMatch(a, action) {
			hit = true
			break
		}
	}
	return hit != s.notAction
}

// matchResource: a statement without Resource/NotResource (a trust policy)
// applies to any resource.
func (s statement) matchResource(resource string) bool {
	if s.resources == nil {
		return true
	}
	hit := false
	for _, r := range s.resources {
		if arnMatch(r, resource) {
			hit = true
			break
		}
	}
	return hit != s.notResource
}

func (s statement) matchConditions(ctx map[string][]string) bool {
	for _, c := range s.conds {
		if !c.eval(ctx) {
			return false
		}
	}
	return true
}
