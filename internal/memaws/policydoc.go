package memaws

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// parsePolicy checks a policy's syntax and structure (the IAM grammar plus
// known condition operators). identity says whether it is an identity
// policy (no Principal) or a resource policy (Principal required).
func parsePolicy(text string, identity bool) (policy.Document, error) {
	if strings.TrimSpace(text) == "" {
		return policy.Document{}, fmt.Errorf("the policy document is empty")
	}
	if _, err := eval.Compile(text, identity); err != nil {
		return policy.Document{}, err
	}
	return policy.Parse(text)
}

var servicePrincipalRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`)

// principalCheck says how strictly principals are validated.
type principalCheck struct {
	// propagated requires roles to have outlived the IAM propagation delay
	// (KMS sees new roles late).
	propagated bool
	now        time.Time
}

// invalidPrincipal returns the first principal of doc that does not exist
// for this account (a role that was never created, was deleted, or, with
// propagated, is too new), or "" when all are valid. Principals of other
// accounts cannot be checked and are accepted.
func (w *world) invalidPrincipal(doc policy.Document, chk principalCheck) string {
	for _, s := range doc.Statement {
		for _, p := range []*policy.Principal{s.Principal, s.NotPrincipal} {
			if p == nil || p.All {
				continue
			}
			for _, v := range p.AWS {
				if !w.validAWSPrincipal(v, chk) {
					return v
				}
			}
			for _, v := range p.Service {
				if !servicePrincipalRE.MatchString(v) {
					return v
				}
			}
		}
	}
	return ""
}

func (w *world) validAWSPrincipal(v string, chk principalCheck) bool {
	if v == "*" || policy.IsAccountID(v) {
		return true
	}
	if strings.HasPrefix(v, "AROA") {
		for _, r := range w.st.Roles {
			if r.ID == v {
				return w.propagated(r, chk)
			}
		}
		return false
	}
	a, err := cloud.ParseARN(v)
	if err != nil || a.Partition != w.st.Partition {
		return false
	}
	switch a.Service {
	case "iam":
		if a.Resource == "root" {
			return policy.IsAccountID(a.Account)
		}
		if a.Account != w.st.AccountID {
			return policy.IsAccountID(a.Account)
		}
		r := w.roleByArn(v)
		return r != nil && w.propagated(r, chk)
	case "sts":
		if a.Account != w.st.AccountID {
			return policy.IsAccountID(a.Account)
		}
		r := w.roleOfSession(v)
		return r != nil && w.propagated(r, chk)
	}
	return false
}

// propagated reports whether a role is visible to other services.
func (w *world) propagated(r *role, chk principalCheck) bool {
	if !chk.propagated {
		return true
	}
	return !chk.now.Before(r.Created.Add(time.Duration(w.iamDelay.Load())))
}

// isPublicPolicy reports whether a bucket policy grants access to everyone
// without a condition that pins the caller, which Block Public Access's
// BlockPublicPolicy refuses.
func isPublicPolicy(doc policy.Document) bool {
	for _, s := range doc.Statement {
		if s.Effect != policy.Allow || s.Principal == nil {
			continue
		}
		wild := s.Principal.All
		for _, v := range s.Principal.AWS {
			if v == "*" {
				wild = true
			}
		}
		if wild && len(s.Condition) == 0 {
			return true
		}
	}
	return false
}
