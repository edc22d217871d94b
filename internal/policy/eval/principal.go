package eval

import (
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
)

// matchKind says how a Principal element matched the caller.
type matchKind int

const (
	noMatch matchKind = iota
	// matchAccount: only through an account principal (root ARN or account
	// ID), which delegates to the account's IAM policies.
	matchAccount
	// matchDirect: the caller itself, "*", or the service.
	matchDirect
)

// caller is a request normalised for matching.
type caller struct {
	arn       string // as given
	service   string
	account   string
	partition string
	// For an STS assumed-role session ARN
	// (arn:<p>:sts::<acct>:assumed-role/<role>/<session>): the role name.
	sessionRole string
	action      string // lower case
	resource    string
	ctx         map[string][]string // lower-case keys, no empty values
}

// newCaller normalises a request. defaultAccount is used when neither
// Principal.Account nor the principal ARN carries an account.
//
// The request context gets aws:PrincipalArn, aws:PrincipalAccount and
// aws:PrincipalServiceName from the principal, and aws:ResourceAccount from
// defaultAccount, unless the caller set them (the global condition keys
// reference documents them as present for such requests). For an
// assumed-role session aws:PrincipalArn is the role's ARN with path "/",
// the best the session ARN reveals.
func newCaller(req Request, defaultAccount string) *caller {
	c := &caller{
		arn:      req.Principal.AWS,
		service:  req.Principal.Service,
		account:  req.Principal.Account,
		action:   strings.ToLower(req.Action),
		resource: req.Resource,
		ctx:      make(map[string][]string, len(req.Context)+4),
	}
	if a, err := cloud.ParseARN(c.arn); err == nil {
		c.partition = a.Partition
		if c.account == "" {
			c.account = a.Account
		}
		if a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/") {
			parts := strings.Split(a.Resource, "/")
			if len(parts) >= 3 {
				c.sessionRole = parts[1]
			}
		}
	}
	if c.account == "" && c.service == "" && c.arn != "" {
		c.account = defaultAccount
	}
	for k, v := range req.Context {
		if len(v) > 0 {
			c.ctx[strings.ToLower(k)] = v
		}
	}
	setDefault := func(key, value string) {
		if _, ok := c.ctx[key]; !ok && value != "" {
			c.ctx[key] = []string{value}
		}
	}
	principalArn := c.arn
	if c.sessionRole != "" {
		principalArn = cloud.RoleARN(c.partition, c.account, "/", c.sessionRole)
	}
	setDefault("aws:principalarn", principalArn)
	if c.isAWS() {
		setDefault("aws:principalaccount", c.account)
	}
	setDefault("aws:principalservicename", c.service)
	setDefault("aws:resourceaccount", defaultAccount)
	return c
}

// isAWS reports whether the caller is an IAM identity (not a service and not
// anonymous).
func (c *caller) isAWS() bool { return c.arn != "" || (c.account != "" && c.service == "") }

// matchedBy matches a Principal element (reference_policies_elements_principal):
// "*" and {"AWS":"*"} match everyone, including services and anonymous
// callers; an account (root ARN or 12-digit ID) matches every identity of
// that account, as delegation; an ARN matches that identity, and a role ARN
// also matches sessions of that role; Service matches the service principal.
// Federated and CanonicalUser principals are not modelled and never match.
func (c *caller) matchedBy(p *policy.Principal) matchKind {
	if p.All {
		return matchDirect
	}
	best := noMatch
	for _, v := range p.AWS {
		if k := c.matchAWS(v); k > best {
			best = k
		}
	}
	if c.service != "" {
		for _, v := range p.Service {
			if strings.EqualFold(v, c.service) {
				return matchDirect
			}
		}
	}
	return best
}

func (c *caller) matchAWS(v string) matchKind {
	if v == "*" {
		return matchDirect
	}
	if !c.isAWS() {
		return noMatch
	}
	if c.arn != "" && v == c.arn {
		return matchDirect
	}
	if c.isAccount(v) {
		return matchAccount
	}
	if c.sessionRole != "" && c.isSessionOfRole(v) {
		return matchDirect
	}
	return noMatch
}

// isAccount reports whether v names the caller's account: its 12-digit ID
// or its root ARN (same partition when the caller's partition is known).
func (c *caller) isAccount(v string) bool {
	if c.account == "" {
		return false
	}
	if v == c.account {
		return policy.IsAccountID(v)
	}
	a, err := cloud.ParseARN(v)
	if err != nil || a.Service != "iam" || a.Resource != "root" || a.Account != c.account {
		return false
	}
	return c.partition == "" || a.Partition == c.partition
}

// isSessionOfRole reports whether the role ARN v is the role the caller's
// session was made from (same partition, account and role name; the
// session ARN carries no role path).
func (c *caller) isSessionOfRole(v string) bool {
	a, err := cloud.ParseARN(v)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return false
	}
	name := a.Resource[strings.LastIndex(a.Resource, "/")+1:]
	return a.Partition == c.partition && a.Account == c.account && name == c.sessionRole
}

// excludedBy reports whether a NotPrincipal element exempts the caller.
// Following the NotPrincipal reference, AWS checks each identity in the
// caller's chain — the account, then the role or user, then the role
// session — and the Deny applies unless every one of them is listed. So a
// role is exempt only when both its account and its ARN are listed, and a
// role session also needs its session ARN.
func (c *caller) excludedBy(p *policy.Principal) bool {
	if p.All {
		return true
	}
	for _, v := range p.AWS {
		if v == "*" {
			return true
		}
	}
	if !c.isAWS() {
		if c.service == "" {
			return false // anonymous: only "*" exempts
		}
		for _, v := range p.Service {
			if strings.EqualFold(v, c.service) {
				return true
			}
		}
		return false
	}
	listed := func(pred func(string) bool) bool {
		for _, v := range p.AWS {
			if pred(v) {
				return true
			}
		}
		return false
	}
	if !listed(c.isAccount) {
		return false
	}
	if c.arn == "" || c.arn == cloud.RootARN(c.partition, c.account) {
		return true // the account itself
	}
	if c.sessionRole != "" && !listed(c.isSessionOfRole) {
		return false
	}
	return listed(func(v string) bool { return v == c.arn })
}
