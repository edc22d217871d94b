package memaws

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

const (
	iamDefaultPage  = 100
	iamMaxPage      = 1000
	maxInlineBytes  = 10240 // aggregate inline policy size per role
	maxTags         = 50
	codeInvalidIAM  = "InvalidInput"
	protectedPrefix = "/aws-service-role/"
	reservedPrefix  = "/aws-reserved/"
)

var (
	iamNameRE   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPolicyRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	iamPathRE   = regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`)
)

type iamClient struct{ a *Account }

func (c iamClient) ci(op, res string) callInfo { return callInfo{svc: "iam", op: op, resource: res} }

func noSuchRole(name string) error {
	return awsErr(cloud.CodeNoSuchEntity, 404, "The role with name %s cannot be found.", name)
}

// getRole finds a role by name (case-insensitive, as IAM names are).
func (w *world) getRole(name string) (*role, error) {
	if r := w.st.Roles[lowerName(name)]; r != nil {
		return r, nil
	}
	return nil, noSuchRole(name)
}

// mutableRole refuses changes to service-linked and IAM Identity Center
// roles, as IAM does.
func mutableRole(r *role) error {
	if strings.HasPrefix(r.Path, protectedPrefix) || strings.HasPrefix(r.Path, reservedPrefix) {
		return awsErr(cloud.CodeUnmodifiableEntity, 400, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	return nil
}

// roleChange runs a change on an existing role that IAM lets callers
// modify (see mutableRole) and marks the state dirty when fn succeeds.
func (c iamClient) roleChange(ctx context.Context, op, roleName string, fn func(w *world, r *role) error) error {
	return c.a.run(ctx, c.ci(op, roleName), func(time.Time) error {
		w := c.a.w
		r, err := w.getRole(roleName)
		if err != nil {
			return err
		}
		if err := mutableRole(r); err != nil {
			return err
		}
		if err := fn(w, r); err != nil {
			return err
		}
		w.dirty = true
		return nil
	})
}

func (w *world) toCloudRole(r *role, withTags bool) cloud.Role {
	out := cloud.Role{
		RoleName: r.Name, RoleID: r.ID, Arn: w.roleArn(r), Path: r.Path,
		AssumeRolePolicyDocument: cloud.EncodePolicyDocument(r.Trust),
		Description:              r.Description, CreateDate: r.Created,
	}
	if withTags && len(r.Tags) > 0 {
		out.Tags = append([]cloud.Tag(nil), r.Tags...)
	}
	if withTags {
		out.PermissionsBoundary = r.Boundary // GetRole only, as in AWS
	}
	return out
}

func validateIAMTags(existing, add []cloud.Tag) ([]cloud.Tag, error) {
	out := append([]cloud.Tag(nil), existing...)
	for _, t := range add {
		switch {
		case t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256:
			return nil, awsErr(codeInvalidIAM, 400, "Tag key %q or its value has an invalid length.", t.Key)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return nil, awsErr(codeInvalidIAM, 400, "User-defined tag keys can't start with 'aws:'; %q does.", t.Key)
		}
		i := slices.IndexFunc(out, func(o cloud.Tag) bool { return strings.EqualFold(o.Key, t.Key) })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, awsErr(cloud.CodeLimitExceeded, 409, "The number of tags has reached the maximum limit of %d.", maxTags)
	}
	return out, nil
}

// checkTrust validates a role trust policy.
func (w *world) checkTrust(doc string) error {
	d, err := parsePolicy(doc, false)
	if err != nil {
		return awsErr(cloud.CodeMalformedPolicyDoc, 400, "%v", err)
	}
	for _, s := range d.Statement {
		if len(s.Resource) > 0 || len(s.NotResource) > 0 {
			return awsErr(cloud.CodeMalformedPolicyDoc, 400, "Has prohibited field Resource")
		}
		for _, a := range append(s.Action, s.NotAction...) {
			if !strings.HasPrefix(strings.ToLower(a), "sts:") {
				return awsErr(cloud.CodeMalformedPolicyDoc, 400, "AssumeRole policy may only specify STS AssumeRole actions.")
			}
		}
	}
	if p := w.invalidPrincipal(d, principalCheck{}); p != "" {
		return awsErr(cloud.CodeMalformedPolicyDoc, 400, "Invalid principal in policy: %q", p)
	}
	return nil
}

// checkIdentityPolicy validates an inline identity policy.
func checkIdentityPolicy(doc string) error {
	d, err := parsePolicy(doc, true)
	if err != nil {
		return awsErr(cloud.CodeMalformedPolicyDoc, 400, "%v", err)
	}
	for _, s := range d.Statement {
		if len(s.Resource) == 0 && len(s.NotResource) == 0 {
			return awsErr(cloud.CodeMalformedPolicyDoc, 400, "Policy statement must contain resources.")
		}
	}
	return nil
}

func (c iamClient) GetRole(ctx context.Context, roleName string) (cloud.Role, error) {
	return call(c.a, ctx, c.ci("GetRole", roleName), func(time.Time) (cloud.Role, error) {
		r, err := c.a.w.getRole(roleName)
		if err != nil {
			return cloud.Role{}, err
		}
		return c.a.w.toCloudRole(r, true), nil
	})
}

func (c iamClient) CreateRole(ctx context.Context, in cloud.CreateRoleInput) (cloud.Role, error) {
	return call(c.a, ctx, c.ci("CreateRole", in.RoleName), func(now time.Time) (cloud.Role, error) {
		w := c.a.w
		path := in.Path
		if path == "" {
			path = "/"
		}
		switch {
		case !iamNameRE.MatchString(in.RoleName):
			return cloud.Role{}, awsErr(cloud.CodeIAMValidationError, 400,
				"1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64 and satisfy regular expression pattern: [\\w+=,.@-]+", in.RoleName)
		case len(path) > 512 || !iamPathRE.MatchString(path):
			return cloud.Role{}, awsErr(cloud.CodeIAMValidationError, 400, "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
		case strings.HasPrefix(path, protectedPrefix) || strings.HasPrefix(path, reservedPrefix):
			return cloud.Role{}, awsErr(cloud.CodeIAMValidationError, 400, "The path %s is reserved for AWS.", path)
		case len(in.Description) > 1000:
			return cloud.Role{}, awsErr(cloud.CodeIAMValidationError, 400, "The description of role %s is longer than 1000 characters.", in.RoleName)
		}
		if w.st.Roles[lowerName(in.RoleName)] != nil {
			return cloud.Role{}, awsErr(cloud.CodeEntityAlreadyExists, 409, "Role with name %s already exists.", in.RoleName)
		}
		if err := w.checkTrust(in.AssumeRolePolicyDocument); err != nil {
			return cloud.Role{}, err
		}
		tags, err := validateIAMTags(nil, in.Tags)
		if err != nil {
			return cloud.Role{}, err
		}
		r := &role{
			Name: in.RoleName, Path: path, ID: "AROA" + randomString(upperAlnum, 17),
			Description: in.Description, Trust: strings.TrimSpace(in.AssumeRolePolicyDocument),
			Created: now, Tags: tags,
		}
		w.st.Roles[lowerName(r.Name)] = r
		w.dirty = true
		return w.toCloudRole(r, true), nil
	})
}

func (c iamClient) DeleteRole(ctx context.Context, roleName string) error {
	return c.roleChange(ctx, "DeleteRole", roleName, func(w *world, r *role) error {
		switch {
		case len(r.Inline) > 0:
			return awsErr(cloud.CodeDeleteConflict, 409, "Cannot delete entity, must delete policies first.")
		case len(r.Attached) > 0:
			return awsErr(cloud.CodeDeleteConflict, 409, "Cannot delete entity, must detach all policies first.")
		case len(w.profilesOf(r)) > 0:
			return awsErr(cloud.CodeDeleteConflict, 409, "Cannot delete entity, must remove roles from instance profile first.")
		}
		w.forgetPrincipal(w.roleArn(r), r.ID)
		delete(w.st.Roles, lowerName(r.Name))
		return nil
	})
}

// forgetPrincipal replaces a deleted role's ARN by its unique ID in every
// key, bucket and trust policy, as AWS shows policies naming a deleted
// role: a new role of the same name does not inherit its grants.
func (w *world) forgetPrincipal(arn, id string) {
	from, to := `"`+arn+`"`, `"`+id+`"`
	for _, k := range w.st.Keys {
		k.Policy = strings.ReplaceAll(k.Policy, from, to)
	}
	for _, b := range w.st.Buckets {
		b.Policy = strings.ReplaceAll(b.Policy, from, to)
	}
	for _, r := range w.st.Roles {
		r.Trust = strings.ReplaceAll(r.Trust, from, to)
	}
}

func (c iamClient) UpdateAssumeRolePolicy(ctx context.Context, roleName, document string) error {
	return c.roleChange(ctx, "UpdateAssumeRolePolicy", roleName, func(w *world, r *role) error {
		if err := w.checkTrust(document); err != nil {
			return err
		}
		r.Trust = strings.TrimSpace(document)
		return nil
	})
}

func (c iamClient) ListRoles(ctx context.Context, in cloud.ListRolesInput) (cloud.ListRolesOutput, error) {
	return call(c.a, ctx, c.ci("ListRoles", in.PathPrefix), func(time.Time) (cloud.ListRolesOutput, error) {
		w := c.a.w
		max, err := iamPageSize(in.MaxItems)
		if err != nil {
			return cloud.ListRolesOutput{}, err
		}
		prefix := in.PathPrefix
		if prefix == "" {
			prefix = "/"
		}
		var roles []*role
		for _, r := range w.st.Roles {
			if strings.HasPrefix(r.Path, prefix) {
				roles = append(roles, r)
			}
		}
		sort.Slice(roles, func(i, j int) bool { return lowerName(roles[i].Name) < lowerName(roles[j].Name) })
		page, next, more, err := pageAfter(roles, func(r *role) string { return lowerName(r.Name) }, in.Marker, max)
		if err != nil {
			return cloud.ListRolesOutput{}, iamBadMarker()
		}
		out := cloud.ListRolesOutput{IsTruncated: more, Marker: next}
		for _, r := range page {
			out.Roles = append(out.Roles, w.toCloudRole(r, false))
		}
		return out, nil
	})
}

func iamPageSize(n int32) (int, error) {
	switch {
	case n == 0:
		return iamDefaultPage, nil
	case n < 0 || n > iamMaxPage:
		return 0, awsErr(cloud.CodeIAMValidationError, 400, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", n)
	}
	return int(n), nil
}

func iamBadMarker() error {
	return awsErr(cloud.CodeIAMValidationError, 400, "Invalid Marker.")
}

func (c iamClient) TagRole(ctx context.Context, roleName string, tags []cloud.Tag) error {
	return c.a.run(ctx, c.ci("TagRole", roleName), func(time.Time) error {
		w := c.a.w
		r, err := w.getRole(roleName)
		if err != nil {
			return err
		}
		out, err := validateIAMTags(r.Tags, tags)
		if err != nil {
			return err
		}
		r.Tags = out
		w.dirty = true
		return nil
	})
}

func (c iamClient) GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error) {
	return call(c.a, ctx, c.ci("GetRolePolicy", roleName), func(time.Time) (string, error) {
		r, err := c.a.w.getRole(roleName)
		if err != nil {
			return "", err
		}
		doc, ok := r.Inline[policyName]
		if !ok {
			return "", awsErr(cloud.CodeNoSuchEntity, 404, "The role policy with name %s cannot be found.", policyName)
		}
		return cloud.EncodePolicyDocument(doc), nil
	})
}

func (c iamClient) PutRolePolicy(ctx context.Context, roleName, policyName, document string) error {
	return c.roleChange(ctx, "PutRolePolicy", roleName, func(w *world, r *role) error {
		if !iamPolicyRE.MatchString(policyName) {
			return awsErr(cloud.CodeIAMValidationError, 400, "The specified value for policyName is invalid: %q.", policyName)
		}
		if err := checkIdentityPolicy(document); err != nil {
			return err
		}
		doc := strings.TrimSpace(document)
		size := len(doc)
		for n, d := range r.Inline {
			if n != policyName {
				size += len(d)
			}
		}
		if size > maxInlineBytes {
			return awsErr(cloud.CodeLimitExceeded, 409, "Maximum policy size of %d bytes exceeded for role %s", maxInlineBytes, r.Name)
		}
		if r.Inline == nil {
			r.Inline = map[string]string{}
		}
		r.Inline[policyName] = doc
		return nil
	})
}

func (c iamClient) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	return c.roleChange(ctx, "DeleteRolePolicy", roleName, func(w *world, r *role) error {
		if _, ok := r.Inline[policyName]; !ok {
			return awsErr(cloud.CodeNoSuchEntity, 404, "The role policy with name %s cannot be found.", policyName)
		}
		delete(r.Inline, policyName)
		return nil
	})
}

func (c iamClient) ListRolePolicies(ctx context.Context, roleName, marker string) (cloud.ListRolePoliciesOutput, error) {
	return call(c.a, ctx, c.ci("ListRolePolicies", roleName), func(time.Time) (cloud.ListRolePoliciesOutput, error) {
		r, err := c.a.w.getRole(roleName)
		if err != nil {
			return cloud.ListRolePoliciesOutput{}, err
		}
		names := make([]string, 0, len(r.Inline))
		for n := range r.Inline {
			names = append(names, n)
		}
		sort.Strings(names)
		page, next, more, err := pageAfter(names, func(s string) string { return s }, marker, iamDefaultPage)
		if err != nil {
			return cloud.ListRolePoliciesOutput{}, iamBadMarker()
		}
		return cloud.ListRolePoliciesOutput{PolicyNames: append([]string(nil), page...), IsTruncated: more, Marker: next}, nil
	})
}

func (c iamClient) ListAttachedRolePolicies(ctx context.Context, roleName, marker string) (cloud.ListAttachedRolePoliciesOutput, error) {
	return call(c.a, ctx, c.ci("ListAttachedRolePolicies", roleName), func(time.Time) (cloud.ListAttachedRolePoliciesOutput, error) {
		w := c.a.w
		r, err := w.getRole(roleName)
		if err != nil {
			return cloud.ListAttachedRolePoliciesOutput{}, err
		}
		arns := append([]string(nil), r.Attached...)
		sort.Strings(arns)
		page, next, more, err := pageAfter(arns, func(s string) string { return s }, marker, iamDefaultPage)
		if err != nil {
			return cloud.ListAttachedRolePoliciesOutput{}, iamBadMarker()
		}
		out := cloud.ListAttachedRolePoliciesOutput{IsTruncated: more, Marker: next}
		for _, arn := range page {
			name := arn[strings.LastIndex(arn, "/")+1:]
			if mp := w.st.ManagedPolicies[arn]; mp != nil {
				name = mp.Name
			}
			out.AttachedPolicies = append(out.AttachedPolicies, cloud.AttachedPolicy{PolicyName: name, PolicyArn: arn})
		}
		return out, nil
	})
}

func (c iamClient) DetachRolePolicy(ctx context.Context, roleName, policyArn string) error {
	return c.roleChange(ctx, "DetachRolePolicy", roleName, func(w *world, r *role) error {
		i := slices.Index(r.Attached, policyArn)
		if i < 0 {
			return awsErr(cloud.CodeNoSuchEntity, 404, "Policy %s was not found.", policyArn)
		}
		r.Attached = slices.Delete(r.Attached, i, i+1)
		return nil
	})
}

// profilesOf returns the instance profiles holding a role, by name.
func (w *world) profilesOf(r *role) []*instanceProfile {
	var out []*instanceProfile
	for _, p := range w.st.InstanceProfiles {
		if slices.ContainsFunc(p.Roles, func(n string) bool { return strings.EqualFold(n, r.Name) }) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lowerName(out[i].Name) < lowerName(out[j].Name) })
	return out
}

func (w *world) toCloudProfile(p *instanceProfile) cloud.InstanceProfile {
	out := cloud.InstanceProfile{
		InstanceProfileName: p.Name, Path: p.Path,
		Arn: "arn:" + w.st.Partition + ":iam::" + w.st.AccountID + ":instance-profile" + p.Path + p.Name,
	}
	for _, n := range p.Roles {
		if r := w.st.Roles[lowerName(n)]; r != nil {
			out.Roles = append(out.Roles, w.toCloudRole(r, false))
		}
	}
	return out
}

func (w *world) pageProfiles(list []*instanceProfile, marker string) (cloud.ListInstanceProfilesOutput, error) {
	page, next, more, err := pageAfter(list, func(p *instanceProfile) string { return lowerName(p.Name) }, marker, iamDefaultPage)
	if err != nil {
		return cloud.ListInstanceProfilesOutput{}, iamBadMarker()
	}
	out := cloud.ListInstanceProfilesOutput{IsTruncated: more, Marker: next}
	for _, p := range page {
		out.InstanceProfiles = append(out.InstanceProfiles, w.toCloudProfile(p))
	}
	return out, nil
}

func (c iamClient) ListInstanceProfiles(ctx context.Context, marker string) (cloud.ListInstanceProfilesOutput, error) {
	return call(c.a, ctx, c.ci("ListInstanceProfiles", ""), func(time.Time) (cloud.ListInstanceProfilesOutput, error) {
		w := c.a.w
		list := make([]*instanceProfile, 0, len(w.st.InstanceProfiles))
		for _, p := range w.st.InstanceProfiles {
			list = append(list, p)
		}
		sort.Slice(list, func(i, j int) bool { return lowerName(list[i].Name) < lowerName(list[j].Name) })
		return w.pageProfiles(list, marker)
	})
}

func (c iamClient) ListInstanceProfilesForRole(ctx context.Context, roleName, marker string) (cloud.ListInstanceProfilesOutput, error) {
	return call(c.a, ctx, c.ci("ListInstanceProfilesForRole", roleName), func(time.Time) (cloud.ListInstanceProfilesOutput, error) {
		w := c.a.w
		r, err := w.getRole(roleName)
		if err != nil {
			return cloud.ListInstanceProfilesOutput{}, err
		}
		return w.pageProfiles(w.profilesOf(r), marker)
	})
}

func (c iamClient) RemoveRoleFromInstanceProfile(ctx context.Context, instanceProfileName, roleName string) error {
	return c.a.run(ctx, c.ci("RemoveRoleFromInstanceProfile", instanceProfileName), func(time.Time) error {
		w := c.a.w
		p := w.st.InstanceProfiles[lowerName(instanceProfileName)]
		if p == nil {
			return awsErr(cloud.CodeNoSuchEntity, 404, "Instance Profile %s cannot be found.", instanceProfileName)
		}
		r, err := w.getRole(roleName)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(p.Roles, func(n string) bool { return strings.EqualFold(n, r.Name) })
		if i < 0 {
			return awsErr(cloud.CodeNoSuchEntity, 404, "Role %s cannot be found in instance profile %s.", roleName, p.Name)
		}
		p.Roles = slices.Delete(p.Roles, i, i+1)
		w.dirty = true
		return nil
	})
}
