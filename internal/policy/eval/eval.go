// Package eval is an IAM policy evaluator for the documents hanavault
// writes and for the in-memory AWS account: it decides whether one request
// (principal, action, resource, condition context) is allowed by a set of
// JSON policies.
//
// The rules follow the IAM policy evaluation logic
// (reference_policies_evaluation-logic and the element and condition
// operator references): an explicit Deny in any policy wins; otherwise any
// Allow grants; otherwise the request is implicitly denied. Within a
// statement, Action/NotAction, Resource/NotResource, Principal/NotPrincipal
// and every condition must match. KMS differs in that the key policy is the
// gate (kms developer guide, key-policies): IAM policies count only when the
// key policy enables them through the account principal.
//
// What is not modelled: policy variables (${aws:username} is matched
// literally), permission boundaries, SCPs/RCPs, session policies, and
// cross-account resource ownership rules beyond the account principal.
package eval

import (
	"fmt"
	"strings"
)

// Principal is the caller of a request.
type Principal struct {
	AWS     string // caller ARN: role ARN arn:<p>:iam::<acct>:role/<path/>name, user ARN, or root ARN
	Service string // service principal, e.g. "s3.amazonaws.com", "logging.s3.amazonaws.com"
	Account string // the principal's account ID (for root matching)
}

// Request is one request to authorize.
type Request struct {
	Principal Principal
	Action    string              // "s3:PutObject", "kms:Decrypt" (case-insensitive match)
	Resource  string              // ARN
	Context   map[string][]string // condition keys (names case-insensitive), e.g. "aws:SecureTransport": {"true"}
}

// Decision is the outcome of an evaluation.
type Decision int

// The three outcomes of IAM evaluation.
const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

// String returns "implicit deny", "allow" or "explicit deny".
func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case ExplicitDeny:
		return "explicit deny"
	case ImplicitDeny:
		return "implicit deny"
	default:
		return fmt.Sprintf("Decision(%d)", int(d))
	}
}

// Result is a decision together with the statement that made it.
type Result struct {
	Decision Decision
	// Policy names the policy that decided: "key policy", "resource policy",
	// "identity policy 1" (1-based). Empty for an implicit deny.
	Policy string
	// Sid is the deciding statement's Sid ("" when it has none or for an
	// implicit deny).
	Sid string
	// Statement is the deciding statement's 0-based index in its policy, or
	// -1 for an implicit deny.
	Statement int
}

// String describes the result, e.g. `explicit deny by resource policy
// statement "DenyInsecureTransport"`.
func (r Result) String() string {
	if r.Statement < 0 {
		return r.Decision.String() + " (no statement matched)"
	}
	where := fmt.Sprintf("statement %d", r.Statement)
	if r.Sid != "" {
		where = fmt.Sprintf("statement %q", r.Sid)
	}
	return fmt.Sprintf("%s by %s %s", r.Decision, r.Policy, where)
}

// Evaluate evaluates one policy (JSON). Identity policies have no Principal
// element; for them the principal is implied (pass identity=true).
//
// An Allow that matches the principal only through an account principal
// (arn:<p>:iam::<acct>:root or a bare account ID) counts as Allow here;
// Authorize and AuthorizeKMS treat such grants as delegation to IAM.
func Evaluate(policyJSON string, req Request, identity bool) (Decision, error) {
	p, err := compileCached(policyJSON, identity)
	if err != nil {
		return ImplicitDeny, err
	}
	return p.Evaluate(req).Decision, nil
}

// Authorize is same-account S3-style evaluation: any explicit Deny
// (identity or resource policy) gives ExplicitDeny; else an Allow from any
// identity policy OR the resource policy gives Allow; else ImplicitDeny.
// Blank policy texts are skipped (no resource policy, for instance).
//
// A resource-policy Allow that names only the caller's account
// (arn:<p>:iam::<acct>:root or the account ID) delegates to IAM, as the IAM
// Principal element reference describes for account principals: it grants
// nothing unless an identity policy also allows.
func Authorize(req Request, identityPolicies []string, resourcePolicy string) (Decision, error) {
	r, err := Explain(req, identityPolicies, resourcePolicy)
	return r.Decision, err
}

// AuthorizeKMS evaluates a KMS request. The key policy is the gate.
// Explicit deny anywhere gives ExplicitDeny. Allow when the key policy
// allows the principal directly, or when the key policy allows the account
// principal (arn:<p>:iam::<keyAccount>:root — "enable IAM policies") AND an
// identity policy allows. The account principal must be the caller's own
// account: a key policy naming another account's root delegates to that
// account's IAM policies (cross-account use), never to ours. keyAccount is
// the key's account: it fills the
// aws:ResourceAccount condition key unless the request sets it, and a
// principal whose ARN carries no account is taken to belong to it.
func AuthorizeKMS(req Request, keyPolicy string, identityPolicies []string, keyAccount string) (Decision, error) {
	r, err := ExplainKMS(req, keyPolicy, identityPolicies, keyAccount)
	return r.Decision, err
}

// Explain is Authorize returning the deciding statement.
func Explain(req Request, identityPolicies []string, resourcePolicy string) (Result, error) {
	ids, err := compileIdentity(identityPolicies)
	if err != nil {
		return Result{Decision: ImplicitDeny, Statement: -1}, err
	}
	var res *Policy
	if strings.TrimSpace(resourcePolicy) != "" {
		if res, err = compileCached(resourcePolicy, false); err != nil {
			return Result{Decision: ImplicitDeny, Statement: -1}, fmt.Errorf("resource policy: %w", err)
		}
	}
	c := newCaller(req, "")
	var resOut outcome
	if res != nil {
		resOut = res.evaluate(c)
		if resOut.deny >= 0 {
			return res.result(ExplicitDeny, "resource policy", resOut.deny), nil
		}
	}
	idOuts, denied := evaluateIdentity(ids, c)
	if denied.Decision == ExplicitDeny {
		return denied, nil
	}
	if allowed, ok := firstIdentityAllow(ids, idOuts); ok {
		return allowed, nil
	}
	if res != nil && resOut.direct >= 0 {
		return res.result(Allow, "resource policy", resOut.direct), nil
	}
	return Result{Decision: ImplicitDeny, Statement: -1}, nil
}

// ExplainKMS is AuthorizeKMS returning the deciding statement.
func ExplainKMS(req Request, keyPolicy string, identityPolicies []string, keyAccount string) (Result, error) {
	if strings.TrimSpace(keyPolicy) == "" {
		return Result{Decision: ImplicitDeny, Statement: -1}, fmt.Errorf("key policy is empty")
	}
	kp, err := compileCached(keyPolicy, false)
	if err != nil {
		return Result{Decision: ImplicitDeny, Statement: -1}, fmt.Errorf("key policy: %w", err)
	}
	ids, err := compileIdentity(identityPolicies)
	if err != nil {
		return Result{Decision: ImplicitDeny, Statement: -1}, err
	}
	c := newCaller(req, keyAccount)
	kOut := kp.evaluate(c)
	if kOut.deny >= 0 {
		return kp.result(ExplicitDeny, "key policy", kOut.deny), nil
	}
	idOuts, denied := evaluateIdentity(ids, c)
	if denied.Decision == ExplicitDeny {
		return denied, nil
	}
	if kOut.direct >= 0 {
		return kp.result(Allow, "key policy", kOut.direct), nil
	}
	if kOut.account >= 0 {
		if allowed, ok := firstIdentityAllow(ids, idOuts); ok {
			return allowed, nil
		}
	}
	return Result{Decision: ImplicitDeny, Statement: -1}, nil
}

func compileIdentity(texts []string) ([]*Policy, error) {
	out := make([]*Policy, len(texts))
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue
		}
		p, err := compileCached(t, true)
		if err != nil {
			return nil, fmt.Errorf("identity policy %d: %w", i+1, err)
		}
		out[i] = p
	}
	return out, nil
}

// evaluateIdentity evaluates every identity policy and returns their
// outcomes and, if one of them denies, the first deny.
func evaluateIdentity(ids []*Policy, c *caller) ([]outcome, Result) {
	outs := make([]outcome, len(ids))
	for i, p := range ids {
		if p == nil {
			outs[i] = noOutcome()
			continue
		}
		outs[i] = p.evaluate(c)
		if outs[i].deny >= 0 {
			return outs, p.result(ExplicitDeny, identityName(i), outs[i].deny)
		}
	}
	return outs, Result{Decision: ImplicitDeny, Statement: -1}
}

func firstIdentityAllow(ids []*Policy, outs []outcome) (Result, bool) {
	for i, o := range outs {
		if ids[i] != nil && o.direct >= 0 {
			return ids[i].result(Allow, identityName(i), o.direct), true
		}
	}
	return Result{}, false
}

func identityName(i int) string { return fmt.Sprintf("identity policy %d", i+1) }
