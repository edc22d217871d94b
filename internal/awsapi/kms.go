package awsapi

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/hanavault/hanavault/internal/cloud"
)

// kmsAPI lists the KMS calls hanavault makes.
type kmsAPI interface {
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, optFns ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ListKeys(ctx context.Context, in *kms.ListKeysInput, optFns ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
	PutKeyPolicy(ctx context.Context, in *kms.PutKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.PutKeyPolicyOutput, error)
	GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	EnableKeyRotation(ctx context.Context, in *kms.EnableKeyRotationInput, optFns ...func(*kms.Options)) (*kms.EnableKeyRotationOutput, error)
	DisableKeyRotation(ctx context.Context, in *kms.DisableKeyRotationInput, optFns ...func(*kms.Options)) (*kms.DisableKeyRotationOutput, error)
	EnableKey(ctx context.Context, in *kms.EnableKeyInput, optFns ...func(*kms.Options)) (*kms.EnableKeyOutput, error)
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, optFns ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	CreateAlias(ctx context.Context, in *kms.CreateAliasInput, optFns ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
	UpdateAlias(ctx context.Context, in *kms.UpdateAliasInput, optFns ...func(*kms.Options)) (*kms.UpdateAliasOutput, error)
	DeleteAlias(ctx context.Context, in *kms.DeleteAliasInput, optFns ...func(*kms.Options)) (*kms.DeleteAliasOutput, error)
	ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, optFns ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
	TagResource(ctx context.Context, in *kms.TagResourceInput, optFns ...func(*kms.Options)) (*kms.TagResourceOutput, error)
	ScheduleKeyDeletion(ctx context.Context, in *kms.ScheduleKeyDeletionInput, optFns ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error)
	CancelKeyDeletion(ctx context.Context, in *kms.CancelKeyDeletionInput, optFns ...func(*kms.Options)) (*kms.CancelKeyDeletionOutput, error)
	ListGrants(ctx context.Context, in *kms.ListGrantsInput, optFns ...func(*kms.Options)) (*kms.ListGrantsOutput, error)
}

// kmsClient implements cloud.KMS for one region.
type kmsClient struct {
	region string
	api    kmsAPI
}

var _ cloud.KMS = (*kmsClient)(nil)

// keyPolicyName is the only key policy name KMS supports.
const keyPolicyName = "default"

func kmsErr(op, resource string, err error) error { return convertError("kms", op, resource, err) }

func (c *kmsClient) CreateKey(ctx context.Context, in cloud.CreateKeyInput) (cloud.KeyMetadata, error) {
	out, err := c.api.CreateKey(ctx, &kms.CreateKeyInput{
		Description: optString(in.Description),
		Policy:      optString(in.Policy),
		KeySpec:     kmstypes.KeySpec(in.KeySpec),
		KeyUsage:    kmstypes.KeyUsageType(in.KeyUsage),
		Tags:        toKMSTags(in.Tags),
	})
	if err != nil {
		return cloud.KeyMetadata{}, kmsErr("CreateKey", in.Description, err)
	}
	return fromKeyMetadata(out.KeyMetadata), nil
}

func (c *kmsClient) DescribeKey(ctx context.Context, keyID string) (cloud.KeyMetadata, error) {
	out, err := c.api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return cloud.KeyMetadata{}, kmsErr("DescribeKey", keyID, err)
	}
	return fromKeyMetadata(out.KeyMetadata), nil
}

func (c *kmsClient) ListKeys(ctx context.Context, marker string) (cloud.ListKeysOutput, error) {
	out, err := c.api.ListKeys(ctx, &kms.ListKeysInput{Marker: optString(marker)})
	if err != nil {
		return cloud.ListKeysOutput{}, kmsErr("ListKeys", c.region, err)
	}
	res := cloud.ListKeysOutput{Truncated: out.Truncated, NextMarker: aws.ToString(out.NextMarker)}
	for _, k := range out.Keys {
		res.Keys = append(res.Keys, cloud.KeyListEntry{KeyID: aws.ToString(k.KeyId), KeyArn: aws.ToString(k.KeyArn)})
	}
	return res, nil
}

func (c *kmsClient) ListGrants(ctx context.Context, keyID, marker string) (cloud.ListGrantsOutput, error) {
	out, err := c.api.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(keyID), Marker: optString(marker)})
	if err != nil {
		return cloud.ListGrantsOutput{}, kmsErr("ListGrants", keyID, err)
	}
	res := cloud.ListGrantsOutput{Truncated: out.Truncated, NextMarker: aws.ToString(out.NextMarker)}
	for _, g := range out.Grants {
		e := cloud.Grant{
			GrantID: aws.ToString(g.GrantId), Name: aws.ToString(g.Name), KeyArn: aws.ToString(g.KeyId),
			GranteePrincipal: aws.ToString(g.GranteePrincipal), RetiringPrincipal: aws.ToString(g.RetiringPrincipal),
			IssuingAccount: aws.ToString(g.IssuingAccount), CreationDate: aws.ToTime(g.CreationDate),
		}
		for _, op := range g.Operations {
			e.Operations = append(e.Operations, string(op))
		}
		res.Grants = append(res.Grants, e)
	}
	return res, nil
}

func (c *kmsClient) GetKeyPolicy(ctx context.Context, keyID string) (string, error) {
	out, err := c.api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String(keyPolicyName)})
	if err != nil {
		return "", kmsErr("GetKeyPolicy", keyID, err)
	}
	return aws.ToString(out.Policy), nil
}

func (c *kmsClient) PutKeyPolicy(ctx context.Context, keyID, policy string) error {
	_, err := c.api.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{
		KeyId:      aws.String(keyID),
		PolicyName: aws.String(keyPolicyName),
		Policy:     aws.String(policy),
	})
	return kmsErr("PutKeyPolicy", keyID, err)
}

func (c *kmsClient) GetKeyRotationStatus(ctx context.Context, keyID string) (bool, error) {
	out, err := c.api.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})
	if err != nil {
		return false, kmsErr("GetKeyRotationStatus", keyID, err)
	}
	return out.KeyRotationEnabled, nil
}

func (c *kmsClient) EnableKeyRotation(ctx context.Context, keyID string) error {
	_, err := c.api.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID)})
	return kmsErr("EnableKeyRotation", keyID, err)
}

func (c *kmsClient) DisableKeyRotation(ctx context.Context, keyID string) error {
	_, err := c.api.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(keyID)})
	return kmsErr("DisableKeyRotation", keyID, err)
}

func (c *kmsClient) EnableKey(ctx context.Context, keyID string) error {
	_, err := c.api.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)})
	return kmsErr("EnableKey", keyID, err)
}

func (c *kmsClient) ListAliases(ctx context.Context, keyID, marker string) (cloud.ListAliasesOutput, error) {
	out, err := c.api.ListAliases(ctx, &kms.ListAliasesInput{KeyId: optString(keyID), Marker: optString(marker)})
	if err != nil {
		res := keyID
		if res == "" {
			res = c.region
		}
		return cloud.ListAliasesOutput{}, kmsErr("ListAliases", res, err)
	}
	res := cloud.ListAliasesOutput{Truncated: out.Truncated, NextMarker: aws.ToString(out.NextMarker)}
	for _, a := range out.Aliases {
		res.Aliases = append(res.Aliases, cloud.Alias{
			AliasName:   aws.ToString(a.AliasName),
			AliasArn:    aws.ToString(a.AliasArn),
			TargetKeyID: aws.ToString(a.TargetKeyId),
		})
	}
	return res, nil
}

func (c *kmsClient) CreateAlias(ctx context.Context, aliasName, targetKeyID string) error {
	_, err := c.api.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(aliasName), TargetKeyId: aws.String(targetKeyID)})
	return kmsErr("CreateAlias", aliasName, err)
}

func (c *kmsClient) UpdateAlias(ctx context.Context, aliasName, targetKeyID string) error {
	_, err := c.api.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(aliasName), TargetKeyId: aws.String(targetKeyID)})
	return kmsErr("UpdateAlias", aliasName, err)
}

func (c *kmsClient) DeleteAlias(ctx context.Context, aliasName string) error {
	_, err := c.api.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(aliasName)})
	return kmsErr("DeleteAlias", aliasName, err)
}

// ListResourceTags returns all tags of the key, following the pages.
func (c *kmsClient) ListResourceTags(ctx context.Context, keyID string) ([]cloud.Tag, error) {
	var tags []cloud.Tag
	var marker *string
	for {
		out, err := c.api.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(keyID), Marker: marker})
		if err != nil {
			return nil, kmsErr("ListResourceTags", keyID, err)
		}
		for _, t := range out.Tags {
			tags = append(tags, cloud.Tag{Key: aws.ToString(t.TagKey), Value: aws.ToString(t.TagValue)})
		}
		if !out.Truncated || aws.ToString(out.NextMarker) == "" {
			return tags, nil
		}
		marker = out.NextMarker
	}
}

func (c *kmsClient) TagResource(ctx context.Context, keyID string, tags []cloud.Tag) error {
	_, err := c.api.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(keyID), Tags: toKMSTags(tags)})
	return kmsErr("TagResource", keyID, err)
}

// ScheduleKeyDeletion schedules the deletion; pendingWindowDays 0 leaves the
// service default (30 days).
func (c *kmsClient) ScheduleKeyDeletion(ctx context.Context, keyID string, pendingWindowDays int32) (time.Time, error) {
	out, err := c.api.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
		KeyId:               aws.String(keyID),
		PendingWindowInDays: optInt32(pendingWindowDays),
	})
	if err != nil {
		return time.Time{}, kmsErr("ScheduleKeyDeletion", keyID, err)
	}
	return aws.ToTime(out.DeletionDate), nil
}

func (c *kmsClient) CancelKeyDeletion(ctx context.Context, keyID string) error {
	_, err := c.api.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(keyID)})
	return kmsErr("CancelKeyDeletion", keyID, err)
}

func fromKeyMetadata(m *kmstypes.KeyMetadata) cloud.KeyMetadata {
	if m == nil {
		return cloud.KeyMetadata{}
	}
	return cloud.KeyMetadata{
		KeyID:        aws.ToString(m.KeyId),
		Arn:          aws.ToString(m.Arn),
		Description:  aws.ToString(m.Description),
		Enabled:      m.Enabled,
		KeyState:     string(m.KeyState),
		KeyManager:   string(m.KeyManager),
		KeySpec:      string(m.KeySpec),
		KeyUsage:     string(m.KeyUsage),
		MultiRegion:  aws.ToBool(m.MultiRegion),
		CreationDate: aws.ToTime(m.CreationDate),
		DeletionDate: aws.ToTime(m.DeletionDate),
	}
}

func toKMSTags(tags []cloud.Tag) []kmstypes.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]kmstypes.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, kmstypes.Tag{TagKey: aws.String(t.Key), TagValue: aws.String(t.Value)})
	}
	return out
}
