package discover

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/hanavault/hanavault/internal/cloud"
)

// listRolesPageSize is IAM's largest MaxItems for ListRoles; fewer pages
// mean fewer round trips in accounts with thousands of roles.
const listRolesPageSize = 1000

// serviceLinkedPath is the path of service-linked roles, which only their
// service may use or change.
const serviceLinkedPath = "/aws-service-role/"

func isServiceLinked(r cloud.Role) bool { return strings.HasPrefix(r.Path, serviceLinkedPath) }

// allRoles returns every role in the account (iam:ListRoles, all pages).
func (d *Discoverer) allRoles(ctx context.Context) ([]cloud.Role, error) {
	return d.roles.get(ctx, func(ctx context.Context) ([]cloud.Role, error) {
		var out []cloud.Role
		in := cloud.ListRolesInput{MaxItems: listRolesPageSize}
		for page := 1; ; page++ {
			res, err := d.acct.IAM().ListRoles(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("list IAM roles (page %d): %w", page, err)
			}
			out = append(out, res.Roles...)
			if !res.IsTruncated {
				return out, nil
			}
			if res.Marker == "" || res.Marker == in.Marker {
				return nil, fmt.Errorf("list IAM roles (page %d): truncated answer without a new marker", page)
			}
			in.Marker = res.Marker
		}
	})
}

// instanceProfiles maps role names to the names of the instance profiles
// holding them (iam:ListInstanceProfiles, all pages).
func (d *Discoverer) instanceProfiles(ctx context.Context) (map[string][]string, error) {
	return d.profiles.get(ctx, func(ctx context.Context) (map[string][]string, error) {
		out := map[string][]string{}
		marker := ""
		for page := 1; ; page++ {
			res, err := d.acct.IAM().ListInstanceProfiles(ctx, marker)
			if err != nil {
				return nil, fmt.Errorf("list IAM instance profiles (page %d): %w", page, err)
			}
			for _, p := range res.InstanceProfiles {
				for _, r := range p.Roles {
					out[r.RoleName] = append(out[r.RoleName], p.InstanceProfileName)
				}
			}
			if !res.IsTruncated {
				break
			}
			if res.Marker == "" || res.Marker == marker {
				return nil, fmt.Errorf("list IAM instance profiles (page %d): truncated answer without a new marker", page)
			}
			marker = res.Marker
		}
		for _, names := range out {
			sort.Strings(names)
		}
		return out, nil
	})
}

// EC2Roles lists roles that trust ec2.amazonaws.com, with their instance
// profiles: roles whose trust policy allows sts:AssumeRole to the EC2
// service principal, service-linked roles left out. Roles with an instance
// profile (which EC2 needs to use a role) come first, then by name.
func (d *Discoverer) EC2Roles(ctx context.Context) ([]RoleInfo, error) {
	out, err := d.ec2Roles.get(ctx, func(ctx context.Context) ([]RoleInfo, error) {
		var (
			roles    []cloud.Role
			profiles map[string][]string
		)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() (err error) { roles, err = d.allRoles(gctx); return err })
		g.Go(func() (err error) { profiles, err = d.instanceProfiles(gctx); return err })
		if err := g.Wait(); err != nil {
			return nil, err
		}
		roles, err := d.withTrustPolicies(ctx, roles)
		if err != nil {
			return nil, err
		}
		var out []RoleInfo
		for _, r := range roles {
			if isServiceLinked(r) {
				continue
			}
			doc, err := cloud.DecodePolicyDocument(r.AssumeRolePolicyDocument)
			if err != nil {
				continue // not a policy IAM would accept; EC2 cannot use it
			}
			principal, ok := trustsService(doc, "ec2.amazonaws.com", "ec2.amazonaws.com.cn")
			if !ok {
				continue
			}
			info := RoleInfo{Name: r.RoleName, Arn: r.Arn, Path: r.Path, Reasons: []string{"trusts " + principal}}
			info.InstanceProfiles = slices.Clone(profiles[r.RoleName])
			for _, p := range info.InstanceProfiles {
				info.Reasons = append(info.Reasons, "instance profile "+p)
			}
			out = append(out, info)
		}
		sort.Slice(out, func(i, j int) bool {
			hi, hj := len(out[i].InstanceProfiles) > 0, len(out[j].InstanceProfiles) > 0
			if hi != hj {
				return hi
			}
			return out[i].Name < out[j].Name
		})
		return out, nil
	})
	return cloneRoles(out), err
}

// withTrustPolicies fills in trust policies that ListRoles left empty (as
// it does in some partitions) with iam:GetRole, with bounded concurrency.
// Roles deleted in the meantime are dropped.
func (d *Discoverer) withTrustPolicies(ctx context.Context, roles []cloud.Role) ([]cloud.Role, error) {
	var missing []int
	for i, r := range roles {
		if strings.TrimSpace(r.AssumeRolePolicyDocument) == "" && !isServiceLinked(r) {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return roles, nil
	}
	out := slices.Clone(roles)
	var (
		mu   sync.Mutex
		gone = map[int]bool{}
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.concurrency)
	for _, i := range missing {
		g.Go(func() error {
			full, err := d.acct.IAM().GetRole(gctx, roles[i].RoleName)
			if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
				mu.Lock()
				gone[i] = true
				mu.Unlock()
				return nil
			}
			if err != nil {
				return fmt.Errorf("read trust policy of role %s: %w", roles[i].RoleName, err)
			}
			out[i].AssumeRolePolicyDocument = full.AssumeRolePolicyDocument
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(gone) > 0 {
		kept := out[:0]
		for i, r := range out {
			if !gone[i] {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	return out, nil
}

// trustPolicy is the part of a policy document trust checks read. Elements
// that take values accept a string or a list (IAM policy grammar).
type trustPolicy struct {
	Statement oneOrMany[trustStatement]
}

type trustStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    oneOrMany[string]
	NotAction oneOrMany[string]
}

// oneOrMany decodes a JSON value that is either one T or a list of T.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "[") {
		var list []T
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*o = list
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = oneOrMany[T]{one}
	return nil
}

// services returns the Service principals a statement names. A principal
// of "*" names no service explicitly and is not counted.
func (s trustStatement) services() []string {
	var p struct {
		Service oneOrMany[string]
	}
	if len(s.Principal) == 0 || s.Principal[0] != '{' || json.Unmarshal(s.Principal, &p) != nil {
		return nil
	}
	return p.Service
}

// allowsAction reports whether the statement's Action (or NotAction)
// covers action.
func (s trustStatement) allowsAction(action string) bool {
	if len(s.NotAction) > 0 {
		return !slices.ContainsFunc(s.NotAction, func(p string) bool { return wildcardMatch(p, action) })
	}
	return slices.ContainsFunc(s.Action, func(p string) bool { return wildcardMatch(p, action) })
}

// trustsService reports whether the trust policy doc lets one of the given
// service principals call sts:AssumeRole, and which principal it names:
// an Allow statement must grant it and no Deny statement may take it away.
// Conditions are not evaluated.
func trustsService(doc string, principals ...string) (string, bool) {
	var p trustPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return "", false
	}
	allowed, denied := "", false
	for _, st := range p.Statement {
		if !st.allowsAction("sts:AssumeRole") {
			continue
		}
		for _, svc := range st.services() {
			if !slices.ContainsFunc(principals, func(want string) bool { return strings.EqualFold(svc, want) }) {
				continue
			}
			switch {
			case strings.EqualFold(st.Effect, "Deny"):
				denied = true
			case strings.EqualFold(st.Effect, "Allow") && allowed == "":
				allowed = svc
			}
		}
	}
	return allowed, allowed != "" && !denied
}

// wildcardMatch matches an IAM action pattern (with * and ?) against an
// action, ignoring case as IAM does for action names.
func wildcardMatch(pattern, s string) bool {
	p, t := strings.ToLower(pattern), strings.ToLower(s)
	// Iterative glob match with backtracking to the last star.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
