package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/hanavault/hanavault/internal/cloud"
)

// iamAPI lists the IAM calls hanavault makes.
type iamAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
	TagRole(ctx context.Context, in *iam.TagRoleInput, optFns ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	ListInstanceProfiles(ctx context.Context, in *iam.ListInstanceProfilesInput, optFns ...func(*iam.Options)) (*iam.ListInstanceProfilesOutput, error)
	ListInstanceProfilesForRole(ctx context.Context, in *iam.ListInstanceProfilesForRoleInput, optFns ...func(*iam.Options)) (*iam.ListInstanceProfilesForRoleOutput, error)
	RemoveRoleFromInstanceProfile(ctx context.Context, in *iam.RemoveRoleFromInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.RemoveRoleFromInstanceProfileOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}

// iamClient implements cloud.IAM.
type iamClient struct{ api iamAPI }

var _ cloud.IAM = (*iamClient)(nil)

func iamErr(op, resource string, err error) error { return convertError("iam", op, resource, err) }

func (c *iamClient) GetRole(ctx context.Context, roleName string) (cloud.Role, error) {
	out, err := c.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if err != nil {
		return cloud.Role{}, iamErr("GetRole", roleName, err)
	}
	return fromIAMRole(out.Role), nil
}

func (c *iamClient) CreateRole(ctx context.Context, in cloud.CreateRoleInput) (cloud.Role, error) {
	out, err := c.api.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(in.RoleName),
		Path:                     optString(in.Path),
		AssumeRolePolicyDocument: aws.String(in.AssumeRolePolicyDocument),
		Description:              optString(in.Description),
		Tags:                     toIAMTags(in.Tags),
	})
	if err != nil {
		return cloud.Role{}, iamErr("CreateRole", in.RoleName, err)
	}
	return fromIAMRole(out.Role), nil
}

func (c *iamClient) DeleteRole(ctx context.Context, roleName string) error {
	_, err := c.api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(roleName)})
	return iamErr("DeleteRole", roleName, err)
}

func (c *iamClient) UpdateAssumeRolePolicy(ctx context.Context, roleName, document string) error {
	_, err := c.api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName:       aws.String(roleName),
		PolicyDocument: aws.String(document),
	})
	return iamErr("UpdateAssumeRolePolicy", roleName, err)
}

func (c *iamClient) ListRoles(ctx context.Context, in cloud.ListRolesInput) (cloud.ListRolesOutput, error) {
	out, err := c.api.ListRoles(ctx, &iam.ListRolesInput{
		PathPrefix: optString(in.PathPrefix),
		Marker:     optString(in.Marker),
		MaxItems:   optInt32(in.MaxItems),
	})
	if err != nil {
		return cloud.ListRolesOutput{}, iamErr("ListRoles", in.PathPrefix, err)
	}
	res := cloud.ListRolesOutput{IsTruncated: out.IsTruncated, Marker: aws.ToString(out.Marker)}
	for _, r := range out.Roles {
		res.Roles = append(res.Roles, fromIAMRole(&r))
	}
	return res, nil
}

func (c *iamClient) TagRole(ctx context.Context, roleName string, tags []cloud.Tag) error {
	_, err := c.api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(roleName), Tags: toIAMTags(tags)})
	return iamErr("TagRole", roleName, err)
}

func (c *iamClient) GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error) {
	out, err := c.api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{
		RoleName:   aws.String(roleName),
		PolicyName: aws.String(policyName),
	})
	if err != nil {
		return "", iamErr("GetRolePolicy", roleName+"/"+policyName, err)
	}
	return aws.ToString(out.PolicyDocument), nil
}

func (c *iamClient) PutRolePolicy(ctx context.Context, roleName, policyName, document string) error {
	_, err := c.api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:       aws.String(roleName),
		PolicyName:     aws.String(policyName),
		PolicyDocument: aws.String(document),
	})
	return iamErr("PutRolePolicy", roleName+"/"+policyName, err)
}

func (c *iamClient) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	_, err := c.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
		RoleName:   aws.String(roleName),
		PolicyName: aws.String(policyName),
	})
	return iamErr("DeleteRolePolicy", roleName+"/"+policyName, err)
}

func (c *iamClient) ListRolePolicies(ctx context.Context, roleName, marker string) (cloud.ListRolePoliciesOutput, error) {
	out, err := c.api.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{
		RoleName: aws.String(roleName),
		Marker:   optString(marker),
	})
	if err != nil {
		return cloud.ListRolePoliciesOutput{}, iamErr("ListRolePolicies", roleName, err)
	}
	return cloud.ListRolePoliciesOutput{
		PolicyNames: out.PolicyNames,
		IsTruncated: out.IsTruncated,
		Marker:      aws.ToString(out.Marker),
	}, nil
}

func (c *iamClient) ListAttachedRolePolicies(ctx context.Context, roleName, marker string) (cloud.ListAttachedRolePoliciesOutput, error) {
	out, err := c.api.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{
		RoleName: aws.String(roleName),
		Marker:   optString(marker),
	})
	if err != nil {
		return cloud.ListAttachedRolePoliciesOutput{}, iamErr("ListAttachedRolePolicies", roleName, err)
	}
	res := cloud.ListAttachedRolePoliciesOutput{IsTruncated: out.IsTruncated, Marker: aws.ToString(out.Marker)}
	for _, p := range out.AttachedPolicies {
		res.AttachedPolicies = append(res.AttachedPolicies, cloud.AttachedPolicy{
			PolicyName: aws.ToString(p.PolicyName),
			PolicyArn:  aws.ToString(p.PolicyArn),
		})
	}
	return res, nil
}

func (c *iamClient) DetachRolePolicy(ctx context.Context, roleName, policyArn string) error {
	_, err := c.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{
		RoleName:  aws.String(roleName),
		PolicyArn: aws.String(policyArn),
	})
	return iamErr("DetachRolePolicy", roleName+" "+policyArn, err)
}

func (c *iamClient) ListInstanceProfiles(ctx context.Context, marker string) (cloud.ListInstanceProfilesOutput, error) {
	out, err := c.api.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{Marker: optString(marker)})
	if err != nil {
		return cloud.ListInstanceProfilesOutput{}, iamErr("ListInstanceProfiles", "", err)
	}
	return fromInstanceProfiles(out.InstanceProfiles, out.IsTruncated, out.Marker), nil
}

func (c *iamClient) ListInstanceProfilesForRole(ctx context.Context, roleName, marker string) (cloud.ListInstanceProfilesOutput, error) {
	out, err := c.api.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{
		RoleName: aws.String(roleName),
		Marker:   optString(marker),
	})
	if err != nil {
		return cloud.ListInstanceProfilesOutput{}, iamErr("ListInstanceProfilesForRole", roleName, err)
	}
	return fromInstanceProfiles(out.InstanceProfiles, out.IsTruncated, out.Marker), nil
}

func (c *iamClient) RemoveRoleFromInstanceProfile(ctx context.Context, instanceProfileName, roleName string) error {
	_, err := c.api.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(instanceProfileName),
		RoleName:            aws.String(roleName),
	})
	return iamErr("RemoveRoleFromInstanceProfile", instanceProfileName+" "+roleName, err)
}

// fromIAMRole maps an SDK role; the trust document stays URL-encoded.
func fromIAMRole(r *iamtypes.Role) cloud.Role {
	if r == nil {
		return cloud.Role{}
	}
	var boundary string
	if r.PermissionsBoundary != nil {
		boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	return cloud.Role{
		PermissionsBoundary:      boundary,
		RoleName:                 aws.ToString(r.RoleName),
		RoleID:                   aws.ToString(r.RoleId),
		Arn:                      aws.ToString(r.Arn),
		Path:                     aws.ToString(r.Path),
		AssumeRolePolicyDocument: aws.ToString(r.AssumeRolePolicyDocument),
		Description:              aws.ToString(r.Description),
		CreateDate:               aws.ToTime(r.CreateDate),
		Tags:                     fromIAMTags(r.Tags),
	}
}

func fromInstanceProfiles(ps []iamtypes.InstanceProfile, truncated bool, marker *string) cloud.ListInstanceProfilesOutput {
	res := cloud.ListInstanceProfilesOutput{IsTruncated: truncated, Marker: aws.ToString(marker)}
	for _, p := range ps {
		ip := cloud.InstanceProfile{
			InstanceProfileName: aws.ToString(p.InstanceProfileName),
			Arn:                 aws.ToString(p.Arn),
			Path:                aws.ToString(p.Path),
		}
		for _, r := range p.Roles {
			ip.Roles = append(ip.Roles, fromIAMRole(&r))
		}
		res.InstanceProfiles = append(res.InstanceProfiles, ip)
	}
	return res
}

func toIAMTags(tags []cloud.Tag) []iamtypes.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamtypes.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, iamtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}

func fromIAMTags(tags []iamtypes.Tag) []cloud.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]cloud.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, cloud.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}
