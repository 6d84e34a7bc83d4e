import { z } from 'zod';
import { antiAffinity, int32, intOrString, podTemplateMetadata } from './common.js';
import { rolloutAnalysisSchema } from './rollout-analysis.js';

export const blueGreenStrategySchema = z
  .strictObject({
    activeService: z.string().meta({ description: 'Service that serves production traffic; switched to the new version on promotion' }),
    previewService: z.string().meta({ description: 'Service that points at the new version before promotion' }).optional(),
    previewReplicaCount: int32('replicas of the new version before promotion (default: spec.replicas)').optional(),
    autoPromotionEnabled: z.boolean().meta({ description: 'promote without waiting for a person (default true)' }).optional(),
    autoPromotionSeconds: int32('seconds to wait, once the preview is available, before promoting automatically').optional(),
    maxUnavailable: intOrString('pods that may be unavailable during the update, a number or a percentage (default 25%)').optional(),
    scaleDownDelaySeconds: int32('seconds before the previous version is scaled down after the switch (default 30)').optional(),
    scaleDownDelayRevisionLimit: int32('old ReplicaSets that may keep running during their scale-down delay').optional(),
    prePromotionAnalysis: rolloutAnalysisSchema
      .meta({ description: 'analysis of the preview before the switch; the switch waits for it to succeed' })
      .optional(),
    antiAffinity: antiAffinity().optional(),
    postPromotionAnalysis: rolloutAnalysisSchema.meta({ description: 'analysis after the switch; its failure switches back' }).optional(),
    previewMetadata: podTemplateMetadata('labels and annotations added to preview pods while they are the preview').optional(),
    activeMetadata: podTemplateMetadata('labels and annotations added to active pods while they are active').optional(),
    abortScaleDownDelaySeconds: int32('seconds before the preview is scaled down after an abort; 0: never (default 30)').optional(),
  })
  .meta({ description: 'blue-green: run the new version beside the old one and switch the active Service at once' });
