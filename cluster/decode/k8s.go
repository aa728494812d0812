package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8sjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
)

// k8sProtoPrefix starts every object the apiserver stores as protobuf (apimachinery's
// serializer/protobuf: "k8s" and a NUL, then a runtime.Unknown envelope).
var k8sProtoPrefix = []byte("k8s\x00")

// encPrefix starts a value encrypted at rest: k8s:enc:<provider>:<version>:<key name>:<ciphertext>.
const encPrefix = "k8s:enc:"

// codecs is the scheme of every built-in kind, built on first use: building it registers some
// thousand types and nothing that never shows a Kubernetes value should pay for that. It is
// never changed after it is built.
var codecs = sync.OnceValues(func() (*codecSet, error) {
	s := runtime.NewScheme()
	if err := addAPIGroups(s); err != nil {
		return nil, fmt.Errorf("building the Kubernetes scheme: %w", err)
	}
	return &codecSet{
		proto: protobuf.NewSerializer(s, s),
		json:  k8sjson.NewSerializerWithOptions(k8sjson.DefaultMetaFactory, s, s, k8sjson.SerializerOptions{}),
	}, nil
})

type codecSet struct {
	proto runtime.Decoder
	json  runtime.Encoder
}

// K8sObject decodes a Kubernetes protobuf value (starting "k8s\x00") to YAML, the way the
// apiserver's own storage codec reads it. typeMeta is "apiVersion kind" from the envelope,
// known even when the kind is not in the scheme (err then says so).
func K8sObject(v []byte) (yamlText []byte, typeMeta string, err error) {
	if !bytes.HasPrefix(v, k8sProtoPrefix) {
		return nil, "", fmt.Errorf("not a Kubernetes protobuf value (no k8s\\x00 prefix)")
	}
	var unk runtime.Unknown
	if err := unk.Unmarshal(v[len(k8sProtoPrefix):]); err != nil {
		return nil, "", fmt.Errorf("the protobuf envelope does not decode: %w", err)
	}
	typeMeta = strings.TrimSpace(unk.APIVersion + " " + unk.Kind)
	cs, err := codecs()
	if err != nil {
		return nil, typeMeta, err
	}
	obj, gvk, err := cs.proto.Decode(v, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			return nil, typeMeta, fmt.Errorf("kind %s is not one etcdeck knows (a newer Kubernetes or an aggregated API)", typeMeta)
		}
		return nil, typeMeta, fmt.Errorf("decoding %s: %w", typeMeta, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(*gvk)
	// JSON first, then YAML in field order (apiVersion, kind, metadata, spec, status), streamed.
	var out bytes.Buffer
	if err := cs.json.Encode(obj, &out); err != nil {
		return nil, typeMeta, fmt.Errorf("encoding %s: %w", typeMeta, err)
	}
	y, err := jsonToYAML(out.Bytes())
	if err != nil {
		return nil, typeMeta, fmt.Errorf("encoding %s as YAML: %w", typeMeta, err)
	}
	return y, typeMeta, nil
}

// renderKubernetes shows a protobuf object as YAML; one that does not decode (an unknown kind, a
// damaged value) shows its apiVersion/kind when known, why, and the hex dump.
func renderKubernetes(v []byte) *Doc {
	y, tm, err := K8sObject(v)
	if err != nil {
		notes := []string{"Kubernetes protobuf: " + err.Error()}
		if tm != "" {
			notes = append([]string{"Kubernetes protobuf · " + tm}, notes...)
		}
		return newHexDoc(v, notes)
	}
	return newTextDoc(Kubernetes, y, tokYAML, []string{"Kubernetes protobuf · " + tm + " · decoded to YAML (read-only)"})
}

// renderYAML shows YAML text as it is, and JSON converted to YAML.
func renderYAML(v []byte) *Doc {
	if isJSON(v) {
		y, err := jsonToYAML(v)
		if err == nil {
			return newTextDoc(YAML, y, tokYAML, []string{"JSON shown as YAML"})
		}
	}
	if !isText(v) {
		return newHexDoc(v, []string{"not text: shown as hex"})
	}
	return newTextDoc(YAML, v, tokYAML, nil)
}

// Encryption names how the apiserver encrypted a value at rest.
type Encryption struct {
	// Provider is aescbc, aesgcm, secretbox or kms.
	Provider string
	// Version is the provider's format version (v1, v2 for KMS v2).
	Version string
	// KeyName is the key's name in the EncryptionConfiguration (the KMS plugin's name for kms).
	KeyName string
	// Ciphertext is what follows the prefix.
	Ciphertext []byte
}

// ParseEncrypted reads the k8s:enc:<provider>:<version>:<key name>: prefix; ok is false when v
// does not start with a complete one.
func ParseEncrypted(v []byte) (e Encryption, ok bool) {
	if !bytes.HasPrefix(v, []byte(encPrefix)) {
		return e, false
	}
	rest := v[len(encPrefix):]
	var parts [3]string
	for i := range parts {
		j := bytes.IndexByte(rest, ':')
		if j < 0 || j > 256 {
			return e, false
		}
		parts[i] = string(rest[:j])
		rest = rest[j+1:]
	}
	return Encryption{Provider: parts[0], Version: parts[1], KeyName: parts[2], Ciphertext: rest}, true
}

func renderEncrypted(v []byte) *Doc {
	e, ok := ParseEncrypted(v)
	if !ok {
		return newHexDoc(v, []string{"starts with k8s:enc: but the prefix is incomplete"})
	}
	notes := []string{
		fmt.Sprintf("encrypted at rest by Kubernetes · provider %s %s · key %q", sanitize(e.Provider), sanitize(e.Version), sanitize(e.KeyName)),
		"only the apiserver holding that key can decrypt it; the ciphertext follows",
	}
	d := newHexDoc(e.Ciphertext, notes)
	d.Rendering = Encrypted
	return d
}

// ObjectTime is when a Kubernetes object (protobuf or JSON) was last written, as far as it says
// itself: the latest managedFields time, else its creationTimestamp. etcd keeps no timestamps,
// so for a Kubernetes value this is the only time a revision has. ok is false for other values
// and for objects that carry no time.
func ObjectTime(v []byte) (t time.Time, ok bool) {
	var m metav1.Object
	switch {
	case bytes.HasPrefix(v, k8sProtoPrefix):
		cs, err := codecs()
		if err != nil {
			return t, false
		}
		obj, _, err := cs.proto.Decode(v, nil, nil)
		if err != nil {
			return t, false
		}
		if m, err = meta.Accessor(obj); err != nil {
			return t, false
		}
	case jsonTypeMeta(v) != "":
		var u struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if json.Unmarshal(v, &u) != nil {
			return t, false
		}
		m = &u.Metadata
	default:
		return t, false
	}
	for _, f := range m.GetManagedFields() {
		if f.Time != nil && f.Time.After(t) {
			t = f.Time.Time
		}
	}
	if t.IsZero() {
		t = m.GetCreationTimestamp().Time
	}
	return t, !t.IsZero()
}
