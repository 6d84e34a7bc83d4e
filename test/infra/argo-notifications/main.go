// Command argo-notifications-render renders notification templates exactly as Argo Rollouts'
// controller does, for Gradual's template-parity table test. It reads one JSON document on stdin,
//
//	{"templates": {"<name>": "<ConfigMap value of template.<name>>"}, "rollout": {...}, "secrets": {...}, "now": "<RFC3339>",
//	 "service": "<service name>", "recipient": "<recipient>"}
//
// and writes {"<name>": {"notification": <rendered services.Notification>} | {"error": "..."}} on stdout.
//
// The code path is Argo's: the variables come from record.NewAPIFactorySettings (with no
// AnalysisRun informer, as Argo does when it has none: rollout, time, secrets), the templates are
// parsed by notifications-engine's api.ParseConfig (the ConfigMap's template.<name> keys) and
// rendered by templates.NewService (sprig's TxtFuncMap without env/expandenv). Only time.Now is
// replaced, by a fixed instant, so the output is reproducible.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/argoproj/argo-rollouts/utils/record"
	"github.com/argoproj/notifications-engine/pkg/api"
	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/argoproj/notifications-engine/pkg/templates"
	corev1 "k8s.io/api/core/v1"
)

type input struct {
	Templates map[string]string `json:"templates"`
	Rollout   map[string]any    `json:"rollout"`
	Secrets   map[string]string `json:"secrets"`
	Now       string            `json:"now"`
	// The destination Argo renders for: api.Send adds serviceType and recipient to the variables.
	Service   string `json:"service"`
	Recipient string `json:"recipient"`
}

type output struct {
	Notification *services.Notification `json:"notification,omitempty"`
	Error        string                 `json:"error,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(fmt.Errorf("reading the input: %w", err))
	}
	now, err := time.Parse(time.RFC3339, in.Now)
	if err != nil {
		fail(fmt.Errorf("now: %w", err))
	}
	secret := &corev1.Secret{Data: map[string][]byte{}}
	for key, value := range in.Secrets {
		secret.Data[key] = []byte(value)
	}
	settings := record.NewAPIFactorySettings(nil)
	getVars, err := settings.InitGetVars(nil, nil, secret)
	if err != nil {
		fail(err)
	}
	destination := services.Destination{Service: in.Service, Recipient: in.Recipient}
	vars := getVars(in.Rollout, destination)
	// As notifications-engine's api.Send does before FormatNotification.
	vars["serviceType"] = destination.Service
	vars["recipient"] = destination.Recipient
	// Argo's time.Now, pinned: the same function shape (func() time.Time) templates `call`.
	timeExprs := map[string]any{}
	for key, value := range vars["time"].(map[string]any) {
		timeExprs[key] = value
	}
	timeExprs["Now"] = func() time.Time { return now }
	vars["time"] = timeExprs

	results := map[string]output{}
	names := make([]string, 0, len(in.Templates))
	for name := range in.Templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		results[name] = render(name, in.Templates[name], vars)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(results); err != nil {
		fail(err)
	}
}

// render parses one template the way Argo parses the ConfigMap (api.ParseConfig) and formats it.
func render(name string, source string, vars map[string]any) (out output) {
	defer func() {
		// time.Parse panics on a bad timestamp in Argo too; the controller logs it. Report it as an error.
		if recovered := recover(); recovered != nil {
			out = output{Error: fmt.Sprintf("panic: %v", recovered)}
		}
	}()
	configMap := &corev1.ConfigMap{Data: map[string]string{"template." + name: source}}
	cfg, err := api.ParseConfig(configMap, &corev1.Secret{Data: map[string][]byte{}})
	if err != nil {
		return output{Error: err.Error()}
	}
	svc, err := templates.NewService(cfg.Templates)
	if err != nil {
		return output{Error: err.Error()}
	}
	notification, err := svc.FormatNotification(vars, name)
	if err != nil {
		return output{Error: err.Error()}
	}
	return output{Notification: notification}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "argo-notifications-render:", err)
	os.Exit(1)
}
