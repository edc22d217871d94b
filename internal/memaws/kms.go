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

// Key attribute values.
const (
	keyManagerCustomer = "CUSTOMER"
	keyManagerAWS      = "AWS"
	specSymmetric      = "SYMMETRIC_DEFAULT"
	usageEncrypt       = "ENCRYPT_DECRYPT"
	stateEnabled       = "Enabled"
	stateDisabled      = "Disabled"
	statePending       = "PendingDeletion"

	kmsPage           = 100
	maxKeyPolicyBytes = 32768
	awsS3Alias        = "alias/aws/s3"
	codeTagException  = "TagException"
	codeInvalidMarker = "InvalidMarkerException"
)

// keyUsages lists the usages each key spec allows; the first is the default.
var keyUsages = map[string][]string{
	specSymmetric: {usageEncrypt},
	"RSA_2048":    {usageEncrypt, "SIGN_VERIFY"}, "RSA_3072": {usageEncrypt, "SIGN_VERIFY"}, "RSA_4096": {usageEncrypt, "SIGN_VERIFY"},
	"ECC_NIST_P256": {"SIGN_VERIFY", "KEY_AGREEMENT"}, "ECC_NIST_P384": {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P521": {"SIGN_VERIFY", "KEY_AGREEMENT"}, "ECC_SECG_P256K1": {"SIGN_VERIFY"},
	"HMAC_224": {"GENERATE_VERIFY_MAC"}, "HMAC_256": {"GENERATE_VERIFY_MAC"},
	"HMAC_384": {"GENERATE_VERIFY_MAC"}, "HMAC_512": {"GENERATE_VERIFY_MAC"},
}

// awsManagedAliases are the predefined aliases every region lists, with a
// target only once the service has created its key.
var awsManagedAliases = []string{"alias/aws/dynamodb", "alias/aws/ebs", "alias/aws/rds", "alias/aws/s3", "alias/aws/ssm"}

var aliasRE = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

type kmsClient struct {
	a      *Account
	region string
}

func (c kmsClient) ci(op, res string) callInfo {
	return callInfo{svc: "kms", op: op, region: c.region, resource: res}
}

func (w *world) keyArn(k *kmsKey) string {
	return cloud.KeyARN(w.st.Partition, k.Region, w.st.AccountID, k.ID)
}

func (w *world) aliasArn(region, name string) string {
	return cloud.AliasARN(w.st.Partition, region, w.st.AccountID, name)
}

func (w *world) aliasesIn(region string) map[string]*kmsAlias {
	m := w.st.Aliases[region]
	if m == nil {
		m = map[string]*kmsAlias{}
		w.st.Aliases[region] = m
	}
	return m
}

func (w *world) defaultKeyPolicy() string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"` + cloud.RootARN(w.st.Partition, w.st.AccountID) + `"},"Action":"kms:*","Resource":"*"}]}`
}

// awsS3KeyPolicy is the policy of the AWS managed key aws/s3: every
// principal of the account may use it through S3 in its region.
func (w *world) awsS3KeyPolicy(region string) string {
	return `{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[{"Sid":"Allow access through S3 for all principals in the account that are authorized to use S3",` +
		`"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"kms:CallerAccount":"` + w.st.AccountID + `","kms:ViaService":"s3.` + region + `.` + cloud.DNSSuffix(w.st.Partition) + `"}}},` +
		`{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"` + cloud.RootARN(w.st.Partition, w.st.AccountID) + `"},` +
		`"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`
}

// awsS3Key returns the region's aws/s3 key, creating it on first use as S3
// does. Caller holds mu.
func (w *world) awsS3Key(region string, now time.Time) *kmsKey {
	if al := w.aliasesIn(region)[awsS3Alias]; al != nil {
		if k := w.st.Keys[al.KeyID]; k != nil {
			return k
		}
	}
	k := &kmsKey{
		ID: newUUID(), Region: region, Description: "Default key that protects my S3 objects when no other key is defined",
		Manager: keyManagerAWS, Spec: specSymmetric, Usage: usageEncrypt, State: stateEnabled,
		Policy: w.awsS3KeyPolicy(region), Rotation: true, Created: now,
	}
	w.st.Keys[k.ID] = k
	w.aliasesIn(region)[awsS3Alias] = &kmsAlias{Name: awsS3Alias, KeyID: k.ID, Created: now}
	w.dirty = true
	return k
}

func keyNotFound(ref string) error {
	return awsErr(cloud.CodeNotFoundException, 400, "Key '%s' does not exist", ref)
}

// resolveKey finds a key of region by key ID, key ARN, alias name or alias
// ARN. With allowAlias false only key IDs and key ARNs are accepted.
// Caller holds mu.
func (w *world) resolveKey(region, ref string, allowAlias bool, now time.Time) (*kmsKey, error) {
	id := ref
	if strings.HasPrefix(ref, "arn:") {
		a, err := cloud.ParseARN(ref)
		if err != nil || a.Service != "kms" || a.Partition != w.st.Partition {
			return nil, awsErr(cloud.CodeNotFoundException, 400, "Invalid arn %s", ref)
		}
		if a.Region != region || a.Account != w.st.AccountID {
			return nil, awsErr(cloud.CodeNotFoundException, 400, "Invalid arn %s", a.Region)
		}
		id = a.Resource
		if strings.HasPrefix(id, "key/") {
			id = strings.TrimPrefix(id, "key/")
		} else if !strings.HasPrefix(id, "alias/") {
			return nil, awsErr(cloud.CodeNotFoundException, 400, "Invalid arn %s", ref)
		}
	}
	if strings.HasPrefix(id, "alias/") {
		if !allowAlias {
			return nil, keyNotFound(ref)
		}
		if id == awsS3Alias {
			return w.awsS3Key(region, now), nil
		}
		al := w.aliasesIn(region)[id]
		if al == nil {
			return nil, awsErr(cloud.CodeNotFoundException, 400, "Alias %s is not found.", w.aliasArn(region, id))
		}
		id = al.KeyID
	}
	k := w.st.Keys[id]
	if k == nil || k.Region != region {
		return nil, keyNotFound(ref)
	}
	return k, nil
}

func (w *world) toMetadata(k *kmsKey) cloud.KeyMetadata {
	return cloud.KeyMetadata{
		KeyID: k.ID, Arn: w.keyArn(k), Description: k.Description, Enabled: k.State == stateEnabled,
		KeyState: k.State, KeyManager: k.Manager, KeySpec: k.Spec, KeyUsage: k.Usage,
		CreationDate: k.Created, DeletionDate: k.DeletionDate,
	}
}

func validateKMSTags(existing, add []cloud.Tag) ([]cloud.Tag, error) {
	out := append([]cloud.Tag(nil), existing...)
	for _, t := range add {
		switch {
		case t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256:
			return nil, awsErr(codeTagException, 400, "Tag key %q or its value has an invalid length.", t.Key)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return nil, awsErr(codeTagException, 400, "Tags beginning with aws: are reserved (%q).", t.Key)
		}
		if i := slices.IndexFunc(out, func(o cloud.Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, awsErr(codeTagException, 400, "A key can have at most %d tags.", maxTags)
	}
	return out, nil
}

// checkKeyPolicy validates a key policy for key k as KMS does: syntax,
// principals that exist and have propagated, and the lockout safety check
// (the caller must still be allowed kms:PutKeyPolicy). Caller holds mu.
func (w *world) checkKeyPolicy(doc string, p principal, k *kmsKey, now time.Time) error {
	if len(doc) > maxKeyPolicyBytes {
		return awsErr(cloud.CodeLimitExceededException, 400, "The key policy exceeds %d bytes.", maxKeyPolicyBytes)
	}
	d, err := parsePolicy(doc, false)
	if err != nil {
		return awsErr(cloud.CodeMalformedPolicyDocument, 400, "The policy is malformed: %v", err)
	}
	for _, s := range d.Statement {
		if len(s.Resource) == 0 && len(s.NotResource) == 0 {
			return awsErr(cloud.CodeMalformedPolicyDocument, 400, "Policy contains a statement without a Resource element.")
		}
	}
	if v := w.invalidPrincipal(d, principalCheck{propagated: true, now: now}); v != "" {
		return awsErr(cloud.CodeMalformedPolicyDocument, 400, "Policy contains a statement with one or more invalid principals. (%s)", v)
	}
	probe := *k
	probe.Policy = doc
	if err := w.authorizeKMS(p, "kms:PutKeyPolicy", &probe, nil); err != nil {
		return awsErr(cloud.CodeMalformedPolicyDocument, 400,
			"The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

func (c kmsClient) CreateKey(ctx context.Context, in cloud.CreateKeyInput) (cloud.KeyMetadata, error) {
	return call(c.a, ctx, c.ci("CreateKey", in.Description), func(now time.Time) (cloud.KeyMetadata, error) {
		w := c.a.w
		spec, usage := in.KeySpec, in.KeyUsage
		if spec == "" {
			spec = specSymmetric
		}
		usages, ok := keyUsages[spec]
		if !ok {
			return cloud.KeyMetadata{}, awsErr(cloud.CodeValidationException, 400, "1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set", spec)
		}
		if usage == "" {
			usage = usages[0]
		}
		if !slices.Contains(usages, usage) {
			return cloud.KeyMetadata{}, awsErr(cloud.CodeValidationException, 400, "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
		}
		if len(in.Description) > 8192 {
			return cloud.KeyMetadata{}, awsErr(cloud.CodeValidationException, 400, "The description is longer than 8192 characters.")
		}
		tags, err := validateKMSTags(nil, in.Tags)
		if err != nil {
			return cloud.KeyMetadata{}, err
		}
		k := &kmsKey{
			ID: newUUID(), Region: c.region, Description: in.Description, Manager: keyManagerCustomer,
			Spec: spec, Usage: usage, State: stateEnabled, Created: now, Tags: tags,
		}
		if strings.TrimSpace(in.Policy) == "" {
			k.Policy = w.defaultKeyPolicy()
		} else {
			if err := w.checkKeyPolicy(in.Policy, c.a.caller(), k, now); err != nil {
				return cloud.KeyMetadata{}, err
			}
			k.Policy = in.Policy
		}
		w.st.Keys[k.ID] = k
		w.dirty = true
		return w.toMetadata(k), nil
	})
}

func (c kmsClient) DescribeKey(ctx context.Context, keyID string) (cloud.KeyMetadata, error) {
	return call(c.a, ctx, c.ci("DescribeKey", keyID), func(now time.Time) (cloud.KeyMetadata, error) {
		k, err := c.a.w.resolveKey(c.region, keyID, true, now)
		if err != nil {
			return cloud.KeyMetadata{}, err
		}
		return c.a.w.toMetadata(k), nil
	})
}

func (c kmsClient) ListKeys(ctx context.Context, marker string) (cloud.ListKeysOutput, error) {
	return call(c.a, ctx, c.ci("ListKeys", ""), func(time.Time) (cloud.ListKeysOutput, error) {
		w := c.a.w
		var keys []*kmsKey
		for _, k := range w.st.Keys {
			if k.Region == c.region {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
		page, next, more, err := pageAfter(keys, func(k *kmsKey) string { return k.ID }, marker, kmsPage)
		if err != nil {
			return cloud.ListKeysOutput{}, awsErr(codeInvalidMarker, 400, "Invalid marker.")
		}
		out := cloud.ListKeysOutput{Truncated: more, NextMarker: next}
		for _, k := range page {
			out.Keys = append(out.Keys, cloud.KeyListEntry{KeyID: k.ID, KeyArn: w.keyArn(k)})
		}
		return out, nil
	})
}

func (c kmsClient) GetKeyPolicy(ctx context.Context, keyID string) (string, error) {
	return call(c.a, ctx, c.ci("GetKeyPolicy", keyID), func(now time.Time) (string, error) {
		k, err := c.a.w.resolveKey(c.region, keyID, false, now)
		if err != nil {
			return "", err
		}
		return k.Policy, nil
	})
}

// customerKey resolves a key that must be customer managed.
func (c kmsClient) customerKey(keyID string, now time.Time) (*kmsKey, error) {
	k, err := c.a.w.resolveKey(c.region, keyID, false, now)
	if err != nil {
		return nil, err
	}
	if k.Manager != keyManagerCustomer {
		return nil, awsErr(cloud.CodeUnsupportedOperation, 400, "%s is an AWS managed key; this operation is only for customer managed keys.", c.a.w.keyArn(k))
	}
	return k, nil
}

func pendingErr(w *world, k *kmsKey) error {
	return awsErr(cloud.CodeKMSInvalidStateException, 400, "%s is pending deletion.", w.keyArn(k))
}

func (c kmsClient) PutKeyPolicy(ctx context.Context, keyID, policy string) error {
	return c.a.run(ctx, c.ci("PutKeyPolicy", keyID), func(now time.Time) error {
		w := c.a.w
		k, err := c.customerKey(keyID, now)
		if err != nil {
			return err
		}
		if err := w.checkKeyPolicy(policy, c.a.caller(), k, now); err != nil {
			return err
		}
		k.Policy = policy
		w.dirty = true
		return nil
	})
}

// rotatable checks that a key supports automatic rotation now.
func (c kmsClient) rotatable(k *kmsKey) error {
	w := c.a.w
	switch {
	case k.State == statePending:
		return pendingErr(w, k)
	case k.Spec != specSymmetric:
		return awsErr(cloud.CodeUnsupportedOperation, 400, "%s is not a symmetric encryption key; only those rotate automatically.", w.keyArn(k))
	}
	return nil
}

func (c kmsClient) GetKeyRotationStatus(ctx context.Context, keyID string) (bool, error) {
	return call(c.a, ctx, c.ci("GetKeyRotationStatus", keyID), func(now time.Time) (bool, error) {
		k, err := c.a.w.resolveKey(c.region, keyID, false, now)
		if err != nil {
			return false, err
		}
		if err := c.rotatable(k); err != nil {
			return false, err
		}
		return k.Rotation, nil
	})
}

func (c kmsClient) setRotation(ctx context.Context, op, keyID string, on bool) error {
	return c.a.run(ctx, c.ci(op, keyID), func(now time.Time) error {
		w := c.a.w
		k, err := c.customerKey(keyID, now)
		if err != nil {
			return err
		}
		if err := c.rotatable(k); err != nil {
			return err
		}
		if k.State == stateDisabled {
			return awsErr(cloud.CodeDisabledException, 400, "%s is disabled.", w.keyArn(k))
		}
		k.Rotation = on
		w.dirty = true
		return nil
	})
}

func (c kmsClient) EnableKeyRotation(ctx context.Context, keyID string) error {
	return c.setRotation(ctx, "EnableKeyRotation", keyID, true)
}

func (c kmsClient) DisableKeyRotation(ctx context.Context, keyID string) error {
	return c.setRotation(ctx, "DisableKeyRotation", keyID, false)
}

func (c kmsClient) EnableKey(ctx context.Context, keyID string) error {
	return c.a.run(ctx, c.ci("EnableKey", keyID), func(now time.Time) error {
		w := c.a.w
		k, err := c.customerKey(keyID, now)
		if err != nil {
			return err
		}
		if k.State == statePending {
			return pendingErr(w, k)
		}
		if k.State != stateEnabled {
			k.State = stateEnabled
			w.dirty = true
		}
		return nil
	})
}

// checkAliasName validates an alias name a caller wants to create or
// change. Reserved or prefix-less names answer InvalidAliasNameException,
// other pattern violations ValidationException.
func checkAliasName(name string) error {
	switch {
	case !strings.HasPrefix(name, "alias/"):
		return awsErr(cloud.CodeInvalidAliasNameException, 400, "Alias %s must begin with 'alias/'.", name)
	// "Create aliases" (KMS Developer Guide, alias-create.html): an alias
	// of a customer managed key cannot begin with alias/aws/; the AWS CLI
	// reference of create-alias spells the reserved prefix alias/AWS, so
	// it is compared without regard to case.
	case strings.HasPrefix(strings.ToLower(name), "alias/aws/"):
		return awsErr(cloud.CodeInvalidAliasNameException, 400, "Alias %s cannot begin with reserved prefix 'alias/aws/'.", name)
	case len(name) > 256 || !aliasRE.MatchString(name):
		return awsErr(cloud.CodeValidationException, 400, "1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$", name)
	}
	return nil
}

// aliasTarget resolves the key an alias may point to.
func (c kmsClient) aliasTarget(target string, now time.Time) (*kmsKey, error) {
	if strings.HasPrefix(target, "alias/") || strings.Contains(target, ":alias/") {
		return nil, awsErr(cloud.CodeValidationException, 400, "Aliases must refer to keys, not to aliases (%s).", target)
	}
	k, err := c.customerKey(target, now)
	if err != nil {
		return nil, err
	}
	if k.State == statePending {
		return nil, pendingErr(c.a.w, k)
	}
	return k, nil
}

func (c kmsClient) CreateAlias(ctx context.Context, aliasName, targetKeyID string) error {
	return c.a.run(ctx, c.ci("CreateAlias", aliasName), func(now time.Time) error {
		w := c.a.w
		if err := checkAliasName(aliasName); err != nil {
			return err
		}
		if w.aliasesIn(c.region)[aliasName] != nil {
			return awsErr(cloud.CodeAlreadyExistsException, 400, "An alias with the name %s already exists", w.aliasArn(c.region, aliasName))
		}
		k, err := c.aliasTarget(targetKeyID, now)
		if err != nil {
			return err
		}
		w.aliasesIn(c.region)[aliasName] = &kmsAlias{Name: aliasName, KeyID: k.ID, Created: now}
		w.dirty = true
		return nil
	})
}

func (c kmsClient) UpdateAlias(ctx context.Context, aliasName, targetKeyID string) error {
	return c.a.run(ctx, c.ci("UpdateAlias", aliasName), func(now time.Time) error {
		w := c.a.w
		if err := checkAliasName(aliasName); err != nil {
			return err
		}
		al := w.aliasesIn(c.region)[aliasName]
		if al == nil {
			return awsErr(cloud.CodeNotFoundException, 400, "Alias %s is not found.", w.aliasArn(c.region, aliasName))
		}
		k, err := c.aliasTarget(targetKeyID, now)
		if err != nil {
			return err
		}
		if old := w.st.Keys[al.KeyID]; old != nil && (old.Spec != k.Spec || old.Usage != k.Usage) {
			return awsErr(cloud.CodeValidationException, 400, "The new target key %s has a different key spec or usage than the current one.", w.keyArn(k))
		}
		al.KeyID = k.ID
		w.dirty = true
		return nil
	})
}

func (c kmsClient) DeleteAlias(ctx context.Context, aliasName string) error {
	return c.a.run(ctx, c.ci("DeleteAlias", aliasName), func(time.Time) error {
		w := c.a.w
		if err := checkAliasName(aliasName); err != nil {
			return err
		}
		if w.aliasesIn(c.region)[aliasName] == nil {
			return awsErr(cloud.CodeNotFoundException, 400, "Alias %s is not found.", w.aliasArn(c.region, aliasName))
		}
		delete(w.aliasesIn(c.region), aliasName)
		w.dirty = true
		return nil
	})
}

func (c kmsClient) ListAliases(ctx context.Context, keyID, marker string) (cloud.ListAliasesOutput, error) {
	return call(c.a, ctx, c.ci("ListAliases", keyID), func(now time.Time) (cloud.ListAliasesOutput, error) {
		w := c.a.w
		var only *kmsKey
		if keyID != "" {
			k, err := w.resolveKey(c.region, keyID, false, now)
			if err != nil {
				return cloud.ListAliasesOutput{}, err
			}
			only = k
		}
		var list []cloud.Alias
		have := map[string]bool{}
		for _, al := range w.aliasesIn(c.region) {
			have[al.Name] = true
			if only != nil && al.KeyID != only.ID {
				continue
			}
			list = append(list, cloud.Alias{AliasName: al.Name, AliasArn: w.aliasArn(c.region, al.Name), TargetKeyID: al.KeyID})
		}
		if only == nil {
			for _, n := range awsManagedAliases {
				if !have[n] {
					list = append(list, cloud.Alias{AliasName: n, AliasArn: w.aliasArn(c.region, n)})
				}
			}
		}
		sort.Slice(list, func(i, j int) bool { return list[i].AliasName < list[j].AliasName })
		page, next, more, err := pageAfter(list, func(a cloud.Alias) string { return a.AliasName }, marker, kmsPage)
		if err != nil {
			return cloud.ListAliasesOutput{}, awsErr(codeInvalidMarker, 400, "Invalid marker.")
		}
		return cloud.ListAliasesOutput{Aliases: append([]cloud.Alias(nil), page...), Truncated: more, NextMarker: next}, nil
	})
}

func (c kmsClient) ListResourceTags(ctx context.Context, keyID string) ([]cloud.Tag, error) {
	return call(c.a, ctx, c.ci("ListResourceTags", keyID), func(now time.Time) ([]cloud.Tag, error) {
		k, err := c.a.w.resolveKey(c.region, keyID, false, now)
		if err != nil {
			return nil, err
		}
		return append([]cloud.Tag(nil), k.Tags...), nil
	})
}

func (c kmsClient) TagResource(ctx context.Context, keyID string, tags []cloud.Tag) error {
	return c.a.run(ctx, c.ci("TagResource", keyID), func(now time.Time) error {
		w := c.a.w
		k, err := c.customerKey(keyID, now)
		if err != nil {
			return err
		}
		out, err := validateKMSTags(k.Tags, tags)
		if err != nil {
			return err
		}
		k.Tags = out
		w.dirty = true
		return nil
	})
}

func (c kmsClient) ScheduleKeyDeletion(ctx context.Context, keyID string, pendingWindowDays int32) (time.Time, error) {
	return call(c.a, ctx, c.ci("ScheduleKeyDeletion", keyID), func(now time.Time) (time.Time, error) {
		w := c.a.w
		days := pendingWindowDays
		if days == 0 {
			days = 30
		}
		if days < 7 || days > 30 {
			return time.Time{}, awsErr(cloud.CodeValidationException, 400,
				"1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
		}
		k, err := c.customerKey(keyID, now)
		if err != nil {
			return time.Time{}, err
		}
		if k.State == statePending {
			return time.Time{}, pendingErr(w, k)
		}
		k.State = statePending
		k.DeletionDate = now.Add(time.Duration(days) * 24 * time.Hour)
		w.dirty = true
		return k.DeletionDate, nil
	})
}

func (c kmsClient) CancelKeyDeletion(ctx context.Context, keyID string) error {
	return c.a.run(ctx, c.ci("CancelKeyDeletion", keyID), func(now time.Time) error {
		w := c.a.w
		k, err := c.customerKey(keyID, now)
		if err != nil {
			return err
		}
		if k.State != statePending {
			return awsErr(cloud.CodeKMSInvalidStateException, 400, "%s is not pending deletion.", w.keyArn(k))
		}
		k.State = stateDisabled
		k.DeletionDate = time.Time{}
		w.dirty = true
		return nil
	})
}

// purgeKeys deletes keys whose deletion date has passed, with their
// aliases. Caller holds mu.
func (w *world) purgeKeys(now time.Time) {
	for id, k := range w.st.Keys {
		if k.State != statePending || now.Before(k.DeletionDate) {
			continue
		}
		delete(w.st.Keys, id)
		for _, m := range w.st.Aliases {
			for n, al := range m {
				if al.KeyID == id {
					delete(m, n)
				}
			}
		}
		w.dirty = true
	}
}

// s3KMS performs a KMS operation (kms:GenerateDataKey, kms:Decrypt or
// kms:Encrypt) that S3 in region makes on behalf of p, with the encryption
// context aws:s3:arn = contextArn. Errors use the codes S3 reports:
// KMS.NotFoundException, KMS.DisabledException,
// KMS.KMSInvalidStateException (all 400) or AccessDenied (403).
// Caller holds mu.
func (w *world) s3KMS(p principal, action, region, keyRef, contextArn string, now time.Time) (*kmsKey, error) {
	k, err := w.resolveKey(region, keyRef, true, now)
	if err != nil {
		return nil, awsErr("KMS.NotFoundException", 400, "%s", cloud.ErrorMessage(err))
	}
	ctx := map[string][]string{
		"kms:ViaService":                   {"s3." + region + "." + cloud.DNSSuffix(w.st.Partition)},
		"kms:EncryptionContext:aws:s3:arn": {contextArn},
		"aws:SecureTransport":              {"true"},
	}
	if err := w.authorizeKMS(p, action, k, ctx); err != nil {
		return nil, awsErr(cloud.CodeAccessDenied, 403, "%s", cloud.ErrorMessage(err))
	}
	switch {
	case k.State == stateDisabled:
		return nil, awsErr("KMS.DisabledException", 400, "%s is disabled.", w.keyArn(k))
	case k.State == statePending:
		return nil, awsErr("KMS.KMSInvalidStateException", 400, "%s is pending deletion.", w.keyArn(k))
	case k.Spec != specSymmetric || k.Usage != usageEncrypt:
		return nil, awsErr("KMS.InvalidKeyUsageException", 400, "%s is not a symmetric encryption key.", w.keyArn(k))
	}
	return k, nil
}
