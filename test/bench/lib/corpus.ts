// Synthetic customer-chat text with a realistic word distribution: Indonesian shop-chat function
// words at the head, product and place words in the middle, and a long tail of rare words, drawn
// from a Zipf law (s = 1), so the FTS index has the term frequencies a real inbox has.
import { prng } from './ids.js';

const HEAD = `kak ya yang ada bisa ini untuk dan sudah terima kasih min apa mau kalau saya tidak berapa
  dengan dari ke di juga boleh masih ok nya sama tolong itu aja jadi pesan harga kirim barang sudah
  belum besok hari dong ready stok ukuran warna bayar transfer ongkir alamat order please thanks hi
  halo pagi siang sore malam selamat baik oke siap mohon maaf info cek dulu sebentar nanti lagi`
  .split(/\s+/)
  .filter(Boolean);

const DOMAIN = `batik tenun songket kebaya sarung kemeja blus rok celana gamis hijab kerudung selendang tas
  dompet sepatu sandal kopi teh gula madu keripik sambal rendang kue brownies bolu nastar kastengel
  parang kawung truntum megamendung sidomukti lurik jumputan sutra katun rayon linen merah biru
  hijau kuning hitam putih cokelat krem marun navy abu ungu pink emas perak jakarta bandung surabaya
  medan makassar semarang yogyakarta solo malang denpasar palembang pekanbaru balikpapan pontianak
  manado batam bogor depok bekasi tangerang jne jnt sicepat anteraja gosend grab pos ninja resi
  paket pengiriman invoice diskon promo voucher cod gratis reseller grosir eceran lusin kodi pcs
  motif model bahan jahitan panjang pendek lengan kecil sedang besar jumbo xl xxl allsize lebar
  pinggang dada bahu tinggi berat gram kilo meter cm refund retur tukar komplain rusak cacat sobek
  luntur salah kurang lebih cepat lambat sampai tiba dikirim diproses dikemas ditunggu konfirmasi
  pembayaran rekening bca bni bri mandiri ovo gopay dana shopeepay qris lunas dp cicilan`
  .split(/\s+/)
  .filter(Boolean);

const SYLLABLES = `ba bi bu be bo ka ki ku ke ko la li lu le lo ma mi mu me mo na ni nu ne no ra ri ru re ro
  sa si su se so ta ti tu te to ga gi gu ge go pa pi pu pe po da di du de do ja ji ju je jo wa wi we
  ya yu ha hi hu ng ny an in un en on ar ir ur er or al il ul el ol`
  .split(/\s+/)
  .filter(Boolean);

export const FIRST_NAMES = `Siti Budi Agus Dewi Rina Andi Putri Rizky Ayu Fajar Nur Indah Dian Eko Sri Wahyu Lestari Hendra
  Yuni Bambang Ratna Joko Maya Arif Fitri Dedi Novi Rudi Sari Teguh Wulan Hadi Intan Rahmat Citra Yoga
  Anisa Bayu Desi Gilang Kartika Lukman Mega Nanda Oki Prita Reza Tika Umar Vina Wawan Yanti Zul`
  .split(/\s+/)
  .filter(Boolean);
export const LAST_NAMES = `Rahma Santoso Wijaya Saputra Lestari Hidayat Pratama Kusuma Nugroho Setiawan Susanti Permana
  Handayani Gunawan Siregar Nasution Harahap Simanjuntak Sinaga Lubis Tanjung Putra Utami Wibowo
  Purnomo Hakim Syahputra Maharani Ramadhan Firmansyah Hasibuan Pangaribuan Sembiring Tarigan Ginting`
  .split(/\s+/)
  .filter(Boolean);

const COMMON = ['batik', 'ongkir', 'kebaya', 'kopi', 'resi'];
const COMMON_RANKS = [10, 20, 30, 45, 60];

export interface Corpus {
  /** Every word, most frequent first. */
  words: string[];
  /** A message of about `min`..`max` words. */
  sentence(rand: () => number, min: number, max: number): string;
  /** Words chosen for search benchmarks: very common (rank 1), common (ranks 10-60) and rare (long tail). */
  searchWords: { common: string[]; rare: string[]; veryCommon: string[] };
}

function longTail(count: number, seed: number, taken: Set<string>): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  while (out.length < count) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    if (w.length < 5 || taken.has(w)) continue;
    taken.add(w);
    out.push(w);
  }
  return out;
}

export function createCorpus(tailSize = 30_000): Corpus {
  const taken = new Set<string>();
  const head: string[] = [];
  for (const w of [...HEAD, ...DOMAIN])
    if (!taken.has(w)) {
      taken.add(w);
      head.push(w);
    }
  // A few product words are as frequent as function words in a shop's inbox: move them to ranks
  // 10, 20, 30, 45 and 60 (each in roughly 9%, 5%, 3%, 2% and 1.5% of messages).
  COMMON.forEach((w, i) => {
    head.splice(head.indexOf(w), 1);
    head.splice(COMMON_RANKS[i] - 1, 0, w);
  });
  // Function and domain words first, then the long tail.
  const words = [...head, ...longTail(tailSize, 7, taken)];
  // Zipf (s = 1) cumulative distribution over ranks.
  const cdf = new Float64Array(words.length);
  let sum = 0;
  for (let r = 0; r < words.length; r++) {
    sum += 1 / (r + 1);
    cdf[r] = sum;
  }
  for (let r = 0; r < words.length; r++) cdf[r] /= sum;
  const pick = (u: number): string => {
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return words[lo];
  };
  return {
    words,
    sentence(rand, min, max) {
      const n = min + Math.floor(rand() * (max - min + 1));
      const parts: string[] = [];
      for (let i = 0; i < n; i++) parts.push(pick(rand()));
      let s = parts.join(' ');
      s = s[0].toUpperCase() + s.slice(1);
      const end = rand();
      return end < 0.3 ? `${s}?` : end < 0.6 ? `${s}.` : end < 0.7 ? `${s} 🙏` : s;
    },
    searchWords: {
      veryCommon: ['kak'],
      // Product words a shop owner would look for, in 1.5-9% of messages each.
      common: [...COMMON],
      // Long-tail words: a handful of messages each.
      rare: [
        words[words.length - 5000],
        words[words.length - 4000],
        words[words.length - 3000],
        words[words.length - 2000],
        words[words.length - 1000],
      ],
    },
  };
}
