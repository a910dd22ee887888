/**
 * Word lists for the demo community (DESIGN §1, `seed --demo`). A fictional community in
 * Nanjing modelled on the Lushan (庐山社区) practice in the seed article: old six-storey
 * walk-ups, seniors born 1930-1955, mostly living alone, children often in another city.
 * Every name, address and phone number here is made up.
 */

export const COMMUNITY = {
  id: 'c-demo',
  name: '鹿山社区',
  address: '南京市建邺区南苑街道鹿山路88号',
  /** The community's 24-hour duty phone (tier 3 of DESIGN §4). */
  emergencyPhone: '025-86661365',
  orgName: '鹿山邻里互助服务中心',
  propertyName: '金鹿物业',
} as const;

/** Residential compounds; a grid covers one compound (or part of a big one). */
export const COMPOUNDS = [
  { name: '鹿山新村', road: '鹿山路', number: 18 },
  { name: '南苑小区', road: '南苑路', number: 66 },
  { name: '怡康苑', road: '怡康街', number: 9 },
  { name: '梅园新村', road: '梅园路', number: 120 },
  { name: '茶亭东苑', road: '茶亭东街', number: 35 },
  { name: '兴隆小区', road: '兴隆大街', number: 201 },
  { name: '桃源居', road: '桃源路', number: 7 },
  { name: '春江苑', road: '春江路', number: 52 },
  { name: '康福里', road: '康福巷', number: 3 },
  { name: '凤栖苑', road: '凤栖路', number: 88 },
] as const;

/** Common surnames, the most frequent repeated so that they come up more often. */
export const SURNAMES = [
  '王', '王', '王', '李', '李', '李', '张', '张', '张', '刘', '刘', '陈', '陈', '杨', '黄', '赵',
  '吴', '周', '徐', '徐', '孙', '马', '朱', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁',
  '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '蒋',
  '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟',
  '谭', '陆', '汪', '范', '金', '石', '夏', '方', '邹', '孟', '秦', '江', '薛', '顾', '毛', '钱',
  '严', '戴', '孔', '汤', '葛', '殷', '施', '倪', '濮',
];

/** Given names typical of people born in the 1930s-1950s. */
export const ELDER_GIVEN = {
  female: [
    '秀英', '桂英', '秀兰', '玉兰', '凤英', '淑珍', '桂兰', '秀珍', '玉珍', '凤兰', '秀芳', '玉梅',
    '兰英', '素珍', '翠英', '秀云', '桂芳', '淑华', '月娥', '美英', '玉英', '金凤', '素英', '惠珍',
    '桂珍', '文英', '巧云', '爱华', '玉华', '招娣', '佩兰', '彩霞', '雪梅', '菊英',
  ],
  male: [
    '建国', '国华', '德明', '志刚', '光明', '永福', '长林', '文华', '德福', '国强', '振华', '宝林',
    '庆生', '树林', '志明', '富贵', '荣华', '玉林', '家林', '春生', '金生', '德胜', '学文', '广才',
    '根宝', '洪涛', '守仁', '宗明', '锡林', '世昌', '炳生', '少华',
  ],
} as const;

/** Given names of their children's and the workers' generation (1960s-1990s). */
export const YOUNGER_GIVEN = {
  female: ['敏', '静', '丽', '艳', '娟', '芳', '霞', '红梅', '晓红', '海燕', '丽华', '雪', '婷', '慧', '颖', '晓燕', '春燕', '玲', '洁', '琳'],
  male: ['伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '明', '超', '建华', '志强', '卫东', '建军', '海峰', '斌', '鹏', '浩', '俊', '宁'],
} as const;

/** [condition, probability]: chronic conditions common among seniors living alone. */
export const CONDITIONS: ReadonlyArray<readonly [string, number]> = [
  ['高血压', 0.55],
  ['糖尿病', 0.22],
  ['冠心病', 0.15],
  ['行动不便', 0.18],
  ['骨质疏松', 0.15],
  ['阿尔茨海默症早期', 0.07],
  ['脑梗后遗症', 0.06],
  ['慢阻肺', 0.06],
  ['帕金森病', 0.03],
  ['听力下降', 0.15],
  ['视力减退', 0.1],
];

/** Per-resident notes that a responder at the door needs. */
export const CONDITION_NOTES: Record<string, string> = {
  听力下降: '耳背，敲门请用力、多等一会儿',
  阿尔茨海默症早期: '记忆力减退，可能忘记按键取消报警',
  行动不便: '使用助行器，开门较慢',
  糖尿病: '注射胰岛素，注意低血糖',
  冠心病: '随身带速效救心丸',
  帕金森病: '手抖，按键可能误触',
  视力减退: '视力差，夜间起夜易跌倒',
};

/** Household notes for the file (一户一档). */
export const HOUSEHOLD_NOTES = [
  '备用钥匙存放于物业值班室',
  '备用钥匙由党员楼栋长保管',
  '子女在外地工作，每周视频通话',
  '每周二、五社区助餐送餐上门',
  '养了一只猫，开门时注意',
  '老伴去年去世，情绪需关注',
  '享受特困供养，社工每月走访',
  '防盗门有内插销，紧急时需物业破门',
  '子女同城，周末回家',
  '喜欢上午去小区花园活动',
  '家中有保姆白天来两小时',
];

export const CHILD_RELATIONS = {
  male: ['儿子', '儿子', '儿子', '女婿', '侄子', '外甥', '孙子'],
  female: ['女儿', '女儿', '女儿', '儿媳', '侄女', '外甥女', '孙女'],
} as const;

/** Mobile prefixes in use in Nanjing. */
export const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '157', '158', '159', '177', '180', '181', '183', '187', '188', '189', '199'];
