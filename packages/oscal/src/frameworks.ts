/**
 * Titles of what the built-in catalog's references point at. The requirement templates name EU AI Act articles
 * 9–15 (Regulation (EU) 2024/1689, chapter III section 2: requirements for high-risk AI systems), the quality
 * characteristics of ISO/IEC 25059:2023 and the criteria areas of the BSI AI Cloud Service Compliance Criteria
 * Catalogue (AIC4).
 */
export const euAiActArticles: Record<string, string> = {
  '9': 'Risk management system',
  '10': 'Data and data governance',
  '11': 'Technical documentation',
  '12': 'Record-keeping',
  '13': 'Transparency and provision of information to deployers',
  '14': 'Human oversight',
  '15': 'Accuracy, robustness and cybersecurity',
};

export const aic4Areas: Record<string, string> = {
  SR: 'Security and robustness',
  PF: 'Performance and functionality',
  RE: 'Reliability',
  DQ: 'Data quality',
  DM: 'Data management',
  EX: 'Explainability',
  BI: 'Bias',
};

export const frameworkTitles = {
  'eu-ai-act': 'EU AI Act (Regulation (EU) 2024/1689), articles 9–15',
  'iso-25059': 'ISO/IEC 25059:2023, quality characteristics of AI systems',
  aic4: 'BSI AI Cloud Service Compliance Criteria Catalogue (AIC4), criteria areas',
} as const;
