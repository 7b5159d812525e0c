// What a customer reads: the survey message, the list rows and the public rating page, in
// Bahasa Indonesia and English (DESIGN rule 10). Keys, not literals, everywhere else.
import type { CsatLanguage } from './csat.entity.js';

export const CSAT_TEXTS = {
  id: {
    question: (org: string) =>
      `Terima kasih telah menghubungi ${org}. Bagaimana penilaian Anda atas layanan kami? Pilih 1 (sangat tidak puas) sampai 5 (sangat puas).`,
    linkPrompt: 'Beri nilai di sini:',
    listButton: 'Beri nilai',
    labels: ['Sangat tidak puas', 'Tidak puas', 'Cukup', 'Puas', 'Sangat puas'],
    pageTitle: 'Penilaian layanan',
    pageQuestion: (org: string) => `Bagaimana penilaian Anda atas layanan ${org}?`,
    comment: 'Komentar (opsional)',
    submit: 'Kirim penilaian',
    thanks: 'Terima kasih atas penilaian Anda!',
    alreadyAnswered: 'Survei ini sudah dinilai. Terima kasih!',
    expired: 'Maaf, survei ini sudah kedaluwarsa.',
    notFound: 'Survei tidak ditemukan.',
    chooseScore: 'Pilih nilai 1 sampai 5.',
    failed: 'Penilaian tidak dapat dikirim. Coba lagi.',
    yourScore: 'Nilai Anda',
    otherLanguage: 'English',
  },
  en: {
    question: (org: string) =>
      `Thank you for contacting ${org}. How would you rate our service? Choose 1 (very dissatisfied) to 5 (very satisfied).`,
    linkPrompt: 'Rate us here:',
    listButton: 'Rate us',
    labels: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
    pageTitle: 'Rate our service',
    pageQuestion: (org: string) => `How would you rate the service of ${org}?`,
    comment: 'Comment (optional)',
    submit: 'Send rating',
    thanks: 'Thank you for your rating!',
    alreadyAnswered: 'This survey has already been answered. Thank you!',
    expired: 'Sorry, this survey has expired.',
    notFound: 'Survey not found.',
    chooseScore: 'Choose a score from 1 to 5.',
    failed: 'The rating could not be sent. Please try again.',
    yourScore: 'Your score',
    otherLanguage: 'Bahasa Indonesia',
  },
} satisfies Record<CsatLanguage, unknown>;

export type CsatTexts = (typeof CSAT_TEXTS)[CsatLanguage];
